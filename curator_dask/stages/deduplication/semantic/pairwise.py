"""Pairwise similarity within each cluster, and the eps cut that turns it into removal ids.

After the shuffle by cluster, every partition holds whole clusters. Each cluster is ranked
(``RankingStrategy``), and every document gets the highest cosine similarity to any
higher-ranked document of its cluster (``max_similarity_to_earlier``, blocked on both axes)
and that document's id: NeMo Curator's pairwise columns ``id``, ``max_id`` and
``cosine_sim_score`` (plus ``centroid``). A document is a duplicate when its score is at least
``1 - eps``; the highest-ranked document of a group is never one, so one document of every group
survives.
"""

from __future__ import annotations

from typing import Any

from curator_dask.stages.deduplication.semantic._arrays import max_similarity_to_earlier
from curator_dask.stages.deduplication.semantic.kmeans import CENTROID_COL, partition_matrix
from curator_dask.stages.deduplication.semantic.ranking import RankingStrategy
from curator_dask.tasks.frames import concat_frames, empty_frame, frame_from_arrays

__all__ = ["PAIRWISE_COLUMNS", "SCORE_COL", "duplicates_of", "pairwise_meta", "pairwise_partition"]

ID_COL, MAX_ID_COL, SCORE_COL = "id", "max_id", "cosine_sim_score"
PAIRWISE_COLUMNS = (ID_COL, MAX_ID_COL, SCORE_COL, CENTROID_COL)


def pairwise_meta(like: Any, id_field: str) -> Any:
    """The (empty) frame ``pairwise_partition`` returns, for ``map_partitions``."""
    return empty_frame(like, {ID_COL: id_field, MAX_ID_COL: id_field, SCORE_COL: "float32", CENTROID_COL: "int32"})


def _cluster_pairs(cluster: Any, id_field: str, columns: list[str], ranking: RankingStrategy, block: int) -> Any:
    number = int(cluster[CENTROID_COL].iloc[0])
    ranked = ranking.rank_cluster(cluster, id_field, number)
    scores, indices = max_similarity_to_earlier(partition_matrix(ranked, columns), block)
    ids = ranked[id_field].reset_index(drop=True)
    return frame_from_arrays(
        ranked,
        {
            ID_COL: ids,
            MAX_ID_COL: ids.take(indices).reset_index(drop=True),
            SCORE_COL: scores,
            CENTROID_COL: ranked[CENTROID_COL].reset_index(drop=True).astype("int32"),
        },
    )


def pairwise_partition(df: Any, id_field: str, columns: list[str], ranking: RankingStrategy, block: int) -> Any:
    """NeMo's pairwise columns for every document of a partition holding whole clusters."""
    if not len(df):
        return pairwise_meta(df, id_field)
    clusters = [group for _, group in df.groupby(CENTROID_COL, sort=True)]
    out = concat_frames([_cluster_pairs(c, id_field, columns, ranking, block) for c in clusters])
    return out.reset_index(drop=True)


def duplicates_of(pairs: Any, eps: float) -> Any:
    """The rows of pairwise results whose score is at least ``1 - eps``: the documents to remove."""
    return pairs[pairs[SCORE_COL] >= 1.0 - eps]
