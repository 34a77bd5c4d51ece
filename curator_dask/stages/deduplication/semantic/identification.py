"""``SemanticDuplicateIdentification``: near-meaning duplicates by k-means and in-cluster similarity.

A whole-collection stage, shaped like exact and fuzzy dedup: the ids are checked once
(``check_documents``), the embeddings once (``check_embeddings``); each partition is turned into
its ids, ranking columns and unit-length embeddings (one float32 column per dimension, so the
shuffle moves plain numbers); k-means runs on the cluster (``kmeans``); every document is
assigned its centroid and distances; Dask's shuffle brings each cluster into one partition; and
each partition computes the pairwise scores of its clusters (``pairwise``). With ``eps`` the
stage emits the ids to remove (NeMo's duplicates column ``id``) or, with ``perform_removal``,
the surviving documents; without ``eps``, every document's pairwise row.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import dask
import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError
from curator_dask.stages.collection import CollectionStage
from curator_dask.stages.deduplication._frames import check_shuffle_method, client_of
from curator_dask.stages.deduplication.checks import check_documents
from curator_dask.stages.deduplication.removal import remove_duplicates
from curator_dask.stages.deduplication.semantic._arrays import normalize_rows
from curator_dask.stages.deduplication.semantic.embeddings import check_embeddings, embedding_matrix
from curator_dask.stages.deduplication.semantic.identify_duplicates import check_eps
from curator_dask.stages.deduplication.semantic.kmeans import (
    CENTROID_COL,
    COSINE_DIST_TO_CENT_COL,
    L2_DIST_TO_CENT_COL,
    assign_clusters,
    fit_kmeans,
)
from curator_dask.stages.deduplication.semantic.pairwise import ID_COL, duplicates_of, pairwise_meta, pairwise_partition
from curator_dask.stages.deduplication.semantic.ranking import RankingStrategy
from curator_dask.tasks.frames import empty_frame, frame_from_arrays, is_cudf_frame

__all__ = ["SemanticDuplicateIdentification", "default_ranking"]

_EMB = "_curator_emb_"
INITS = ("k-means||", "k-means++", "random")


def default_ranking(which_to_keep: str, distance_metric: str, id_field: str, random_seed: int) -> RankingStrategy:
    """NeMo's ranking for ``which_to_keep``: ``hard`` keeps the farthest from the centroid, ``easy`` the nearest."""
    if which_to_keep not in ("hard", "easy", "random"):
        msg = f"which_to_keep={which_to_keep!r} is not supported; pass 'hard', 'easy' or 'random'"
        raise ConfigError(msg)
    if distance_metric not in ("cosine", "l2"):
        msg = f"distance_metric={distance_metric!r} is not supported; pass 'cosine' or 'l2'"
        raise ConfigError(msg)
    if which_to_keep == "random":
        return RankingStrategy.random(random_seed)
    column = COSINE_DIST_TO_CENT_COL if distance_metric == "cosine" else L2_DIST_TO_CENT_COL
    ascending = which_to_keep == "easy"
    return RankingStrategy(metadata_cols=[column, id_field], ascending=[ascending, ascending])


def _unit_columns(df: Any, id_field: str, keep: list[str], embedding_field: str, dim: int) -> Any:
    """A partition as ``[id_field, *keep, _EMB0 .. _EMB{dim-1}]`` with unit-length float32 embeddings."""
    x = normalize_rows(embedding_matrix(df, embedding_field, dim))
    names = [f"{_EMB}{i}" for i in range(dim)]
    front = frame_from_arrays(df, {c: df[c].reset_index(drop=True) for c in [id_field, *keep]})
    if is_cudf_frame(df):
        import cudf

        return cudf.concat([front, cudf.DataFrame(x, columns=names)], axis=1)
    # one float32 block, not one per dimension: the shuffle then splits a partition in one go
    return pd.concat([front, pd.DataFrame(x, columns=names)], axis=1)


class SemanticDuplicateIdentification(CollectionStage):
    """Finds documents whose embeddings are near-identical in direction; keeps the top-ranked of each group.

    Args:
        id_field: a column of unique document ids.
        embedding_field: the column holding each document's vector (a list of numbers).
        n_clusters: k-means clusters (at most the number of documents).
        eps: duplicates are documents with cosine similarity at least ``1 - eps`` to a
            higher-ranked one in their cluster; ``None``: emit every document's pairwise row.
        which_to_keep, distance_metric: NeMo's default ranking (see ``default_ranking``).
        ranking_strategy: a ``RankingStrategy`` instead of ``which_to_keep``.
        metadata_fields: columns carried to the ranking (those ``ranking_strategy`` sorts by).
        max_iter, tol, random_state, init, n_init: k-means options (see ``kmeans.fit_kmeans``).
        max_samples_per_batch: documents per distance block when assigning clusters.
        init_sample_size: documents the initialisation draws from (at least ``2 * n_clusters``).
        pairwise_batch_size: block width of the pairwise comparison.
        perform_removal: emit the surviving documents (needs ``eps``).
        drop_fields: with removal, columns to drop from the output (e.g. ids added to deduplicate).
        shuffle_method: ``"tasks"`` or ``"p2p"``.
        total_nparts: partitions of the shuffle by cluster; ``None``: as the input.
    """

    name = "semantic_duplicate_identification"

    def __init__(
        self,
        id_field: str = "id",
        embedding_field: str = "embeddings",
        n_clusters: int = 100,
        eps: float | None = 0.01,
        which_to_keep: Literal["hard", "easy", "random"] = "hard",
        distance_metric: Literal["cosine", "l2"] = "cosine",
        ranking_strategy: RankingStrategy | None = None,
        metadata_fields: list[str] | None = None,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int = 42,
        init: str | np.ndarray = "k-means||",
        n_init: int | Literal["auto"] = 1,
        max_samples_per_batch: int = 1 << 15,
        init_sample_size: int = 1 << 15,
        pairwise_batch_size: int = 1024,
        perform_removal: bool = False,
        drop_fields: list[str] | None = None,
        shuffle_method: str = "tasks",
        total_nparts: int | None = None,
    ) -> None:
        for label, value, low in (
            ("n_clusters", n_clusters, 1),
            ("max_iter", max_iter, 1),
            ("pairwise_batch_size", pairwise_batch_size, 1),
            ("max_samples_per_batch", max_samples_per_batch, 1),
            ("init_sample_size", init_sample_size, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{label}={value!r} must be a positive integer")
        if not isinstance(init, np.ndarray) and init not in INITS:
            raise ConfigError(f"init={init!r} is not supported; pass one of {list(INITS)} or an n_clusters x dim array")
        if n_init != "auto" and (isinstance(n_init, bool) or not isinstance(n_init, int) or n_init < 1):
            raise ConfigError(f"n_init={n_init!r} must be a positive integer or 'auto' (one run)")
        self.eps = check_eps(eps)
        if perform_removal and self.eps is None:
            raise ConfigError("perform_removal=True needs eps (the similarity cut); pass eps=0.01, say")
        self.ranking = ranking_strategy or default_ranking(which_to_keep, distance_metric, id_field, random_state)
        self.id_field, self.embedding_field, self.n_clusters = id_field, embedding_field, n_clusters
        self.metadata_fields = list(metadata_fields or [])
        self.kmeans_options: dict[str, Any] = {
            "max_iter": max_iter,
            "tol": tol,
            "random_state": random_state,
            "init": init,
            "n_init": 1 if n_init == "auto" else n_init,
            "sample_size": init_sample_size,
            "block": max_samples_per_batch,
        }
        self.pairwise_batch_size = pairwise_batch_size
        self.perform_removal, self.drop_fields = perform_removal, list(drop_fields or [])
        self.shuffle_method = check_shuffle_method(shuffle_method)
        if total_nparts is not None and total_nparts < 1:
            raise ConfigError(f"total_nparts must be a positive number of partitions or None; got {total_nparts}")
        self.total_nparts = total_nparts

    def collection_options(self) -> dict[str, Any]:
        return {"dataframe.shuffle.method": self.shuffle_method, "dataframe.convert-string": False}

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.id_field, self.embedding_field]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [] if self.perform_removal else [ID_COL]

    def _ranking_columns(self) -> list[str]:
        derived = {CENTROID_COL, COSINE_DIST_TO_CENT_COL, L2_DIST_TO_CENT_COL, self.id_field}
        wanted = [*self.metadata_fields, *(self.ranking.metadata_cols if self.ranking.strategy == "sort" else [])]
        return [c for c in dict.fromkeys(wanted) if c not in derived]

    def process_collection(self, frames: Any) -> Any:
        client = client_of(frames)
        with dask.config.set(self.collection_options()):
            return self._identify(frames, client)

    def _identify(self, frames: Any, client: Any) -> Any:
        from distributed import wait

        began = time.perf_counter()
        nparts = self.total_nparts or frames.npartitions
        check_documents(frames, str(self.name), self.id_field, None, nparts, client)
        rows, dim = check_embeddings(frames, str(self.name), self.id_field, self.embedding_field, client)
        if self.n_clusters > rows:
            msg = (
                f"Stage {self.name!r}: n_clusters={self.n_clusters} is larger than the number of documents ({rows}). "
                f"Fix: pass n_clusters <= {rows} (a cluster should hold many documents; e.g. documents / 1000)."
            )
            raise ConfigError(msg)
        init = self.kmeans_options["init"]
        if isinstance(init, np.ndarray) and init.shape != (self.n_clusters, dim):
            msg = (
                f"Stage {self.name!r}: init is an array of shape {init.shape}, but n_clusters={self.n_clusters} "
                f"centroids of the embeddings' length {dim} need shape ({self.n_clusters}, {dim})."
            )
            raise ConfigError(msg)
        keep = self._ranking_columns()
        missing = [c for c in keep if c not in frames.columns]
        if missing:
            msg = (
                f"Stage {self.name!r}: the ranking needs column(s) {missing}, which the documents lack "
                f"(they have {list(frames.columns)}). Fix: rank by existing columns, or add them."
            )
            raise ConfigError(msg)
        emb = [f"{_EMB}{i}" for i in range(dim)]
        meta = empty_frame(frames._meta, {c: c for c in [self.id_field, *keep]} | dict.fromkeys(emb, "float32"))
        unit = client.persist(
            frames.map_partitions(_unit_columns, self.id_field, keep, self.embedding_field, dim, meta=meta)
        )
        parts = client.compute(unit.to_delayed())
        fitted = fit_kmeans(client, parts, self.id_field, emb, rows, self.n_clusters, **self.kmeans_options)
        added = {CENTROID_COL: "int32", L2_DIST_TO_CENT_COL: "float32", COSINE_DIST_TO_CENT_COL: "float32"}
        assigned_meta = empty_frame(meta, {c: c for c in meta.columns} | added)
        centroids = dask.delayed(fitted.centroids, pure=True)
        assigned = client.persist(
            unit.map_partitions(assign_clusters, emb, centroids, self.kmeans_options["block"], meta=assigned_meta)
        )
        wait(assigned)
        del parts
        t_kmeans = time.perf_counter()
        shuffled = client.persist(assigned.shuffle(CENTROID_COL, npartitions=nparts))
        wait(shuffled)
        t_shuffle = time.perf_counter()
        pairs = shuffled.map_partitions(
            pairwise_partition,
            self.id_field,
            emb,
            self.ranking,
            self.pairwise_batch_size,
            meta=pairwise_meta(frames._meta, self.id_field),
        )
        pairs = client.persist(pairs)
        wait(pairs)
        t_pairwise = time.perf_counter()
        result = pairs if self.eps is None else client.persist(duplicates_of(pairs, self.eps)[[ID_COL]])
        removed = 0 if self.eps is None else int(client.compute(result.shape[0], sync=True))
        self._log_metrics(
            {
                "documents_in": rows,
                "documents_removed": removed,
                "n_clusters": self.n_clusters,
                "kmeans_iterations": fitted.iterations,
                "kmeans_inertia": fitted.inertia,
                "kmeans_s": t_kmeans - began,
                "shuffle_s": t_shuffle - t_kmeans,
                "pairwise_s": t_pairwise - t_shuffle,
            }
        )
        if not self.perform_removal:
            return result
        ids = result.rename(columns={ID_COL: self.id_field}) if self.id_field != ID_COL else result
        kept = remove_duplicates(frames, ids, self.id_field, self.shuffle_method)
        drop = [c for c in self.drop_fields if c in frames.columns]
        return kept.drop(columns=drop) if drop else kept
