"""SemanticDeduplicationWorkflow end to end on Parquet files, and IdentifyDuplicatesStage on its pairwise output."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.stages.deduplication.semantic import (
    IdentifyDuplicatesStage,
    RankingStrategy,
    SemanticDeduplicationWorkflow,
)
from curator_dask.stages.deduplication.semantic.synthetic import planted_embeddings
from curator_dask.tasks import DocumentBatch, FileGroupTask

DOCS = planted_embeddings(groups=20, copies=3, singletons=140, dim=32, noise=0.03, seed=2)


def _write(folder, docs: pd.DataFrame, files: int = 3) -> str:
    folder.mkdir()
    for k in range(files):
        docs.iloc[k::files].to_parquet(folder / f"part-{k}.parquet", index=False)
    return str(folder)


@pytest.mark.slow
def test_workflow_writes_duplicates_pairwise_results_and_deduplicated_documents(client, tmp_path) -> None:
    source = _write(tmp_path / "in", DOCS.assign(text=[f"t{i}" for i in range(len(DOCS))]))
    common = {"input_path": source, "n_clusters": 4, "files_per_partition": 1}
    ids = SemanticDeduplicationWorkflow(output_path=str(tmp_path / "ids"), eps=0.01, **common)
    report = ids.run(DaskExecutor(client=client))
    removed = pd.read_parquet(tmp_path / "ids" / "duplicates")
    assert list(removed.columns) == ["id"]
    assert report.documents_in == 200
    assert report.documents_removed == len(removed) == 40  # 2 of every 3 planted copies
    assert set(DOCS.set_index("id")["group"][removed["id"]]) == set(range(20))

    kept = SemanticDeduplicationWorkflow(output_path=str(tmp_path / "kept"), eps=0.01, perform_removal=True, **common)
    kept.run(DaskExecutor(client=client))
    # ignore_metadata: the list column round-trips as a pyarrow list, which pandas cannot name from the metadata
    survivors = pq.read_table(tmp_path / "kept" / "deduplicated").to_pandas(ignore_metadata=True)
    assert sorted(survivors["id"]) == sorted(set(DOCS["id"]) - set(removed["id"]))
    assert {"embeddings", "text", "group"} <= set(survivors.columns)

    pairs = SemanticDeduplicationWorkflow(output_path=str(tmp_path / "pairs"), eps=None, **common)
    pairs.run(DaskExecutor(client=client))
    scores = pd.read_parquet(tmp_path / "pairs" / "pairwise_results")
    assert list(scores.columns) == ["id", "max_id", "cosine_sim_score", "centroid"]
    assert len(scores) == 200
    batch = IdentifyDuplicatesStage(eps=0.01).process(DocumentBatch(dataset_name="pairs", data=scores))
    assert batch.to_pandas()["id"].tolist() == sorted(removed["id"])
    assert batch._metadata["num_removed"] == 40
    (tmp_path / "nemo_form").mkdir()
    files = sorted(str(p) for p in (tmp_path / "pairs" / "pairwise_results").glob("*.parquet"))
    nemo_form = IdentifyDuplicatesStage(eps=0.01, output_path=str(tmp_path / "nemo_form"), _num_row_groups_hint=4)
    [written] = nemo_form.process_batch([FileGroupTask(dataset_name="pairs", data=files)])
    assert pd.read_parquet(written.data[0])["id"].tolist() == sorted(removed["id"])
    assert pq.ParquetFile(written.data[0]).num_row_groups == 4
    assert written._metadata["num_removed"] == 40


@pytest.mark.slow
def test_ranking_strategy_decides_which_copy_survives(client, tmp_path) -> None:
    docs = DOCS.assign(quality=range(len(DOCS)))
    source = _write(tmp_path / "in", docs)
    workflow = SemanticDeduplicationWorkflow(
        source,
        str(tmp_path / "out"),
        n_clusters=4,
        eps=0.01,
        metadata_fields=["quality"],
        ranking_strategy=RankingStrategy(["quality"], ascending=False),
    )
    workflow.run(DaskExecutor(client=client))
    removed = set(pd.read_parquet(tmp_path / "out" / "duplicates")["id"])
    planted = docs[docs["group"] >= 0]
    best = planted.loc[planted.groupby("group")["quality"].idxmax(), "id"]
    assert set(planted["id"]) - set(best) == removed  # the highest quality copy of each group is kept
