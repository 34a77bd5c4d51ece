"""Exact deduplication: hand-made duplicates, partition independence, shuffles keep every row."""

from __future__ import annotations

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline.workflow import WorkflowRunResult
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow, ExactDuplicateIdentification
from curator_dask.stages.deduplication.exact.identification import hash_documents
from curator_dask.stages.deduplication.identification import REPORT_METRICS
from curator_dask.stages.deduplication.removal import remove_duplicates
from tests.stages.deduplication.conftest import collection, identify, read_jsonl

DOCS = pd.DataFrame(
    {
        "id": [f"d{i:02d}" for i in range(12)],
        "text": ["a", "b", "a", "c", "b", "a", "dé", "dé", "e", "A", "a ", "f"],
    }
)


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_removal_ids_keep_the_smallest_id_per_group(client, backend, npartitions) -> None:
    frames = collection(DOCS.sample(frac=1, random_state=npartitions), npartitions, backend)
    out, metrics = identify(ExactDuplicateIdentification(id_field="id", total_nparts=npartitions), frames)
    assert sorted(out["id"]) == ["d02", "d04", "d05", "d07"]  # "A" and "a " are different texts
    groups = out.groupby("_exact_duplicate_group")["id"].apply(sorted).tolist()
    assert sorted(groups) == [["d02", "d05"], ["d04"], ["d07"]]
    assert {k: metrics.pop(k) for k in REPORT_METRICS} == {
        "documents_in": 12,
        "duplicate_groups": 3,
        "documents_removed": 4,
    }
    assert sorted(metrics) == ["step_checks_rows", "step_checks_s"]  # the one timed step before the hash shuffle


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_removal_keeps_one_document_per_text(client, backend, npartitions) -> None:
    frames = collection(DOCS, npartitions, backend)
    stage = ExactDuplicateIdentification(id_field="id", perform_removal=True, shuffle_method="p2p")
    out, _ = identify(stage, frames)
    assert sorted(out["id"]) == ["d00", "d01", "d03", "d06", "d08", "d09", "d10", "d11"]
    assert list(out.columns) == ["id", "text"]


def test_shuffles_preserve_row_counts(client) -> None:
    frames = collection(pd.concat([DOCS] * 5, ignore_index=True).assign(id=lambda d: d.index), 4, "pandas")
    hashed = frames.map_partitions(hash_documents, "id", "text", meta=hash_documents(DOCS.iloc[:0], "id", "text"))
    for method in ("tasks", "p2p"):
        shuffled = hashed.shuffle(on="_hashes", npartitions=3, shuffle_method=method)
        assert len(shuffled) == len(DOCS) * 5
        assert sorted(shuffled["id"].compute()) == list(range(60))
    removal = frames[frames["id"] % 2 == 0][["id"]]
    assert len(remove_duplicates(frames, removal, "id")) == 30


def test_md5_groups_are_stable() -> None:
    hashed = hash_documents(DOCS.iloc[:1], "id", "text")
    assert hashed["_hashes"].tolist() == ["0cc175b9c0f1b6a831c399e269772661"]  # md5("a")


def test_a_missing_id_column_names_the_fix(client) -> None:
    with pytest.raises(ValueError, match="Run AddId"):
        identify(ExactDuplicateIdentification(id_field="nope"), collection(DOCS, 2, "pandas"))


def test_invalid_shuffle_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="'tasks', 'p2p'"):
        ExactDuplicateIdentification(shuffle_method="disk")


def test_workflow_from_files_to_files(client, tmp_path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for k in range(3):
        DOCS.iloc[k * 4 : (k + 1) * 4][["text"]].to_json(src / f"part{k}.jsonl", orient="records", lines=True)
    workflow = ExactDeduplicationWorkflow(
        output_path=str(tmp_path / "out"), input_path=str(src), input_filetype="jsonl", total_nparts=2
    )
    report = workflow.run(DaskExecutor(client=client))
    assert (report.documents_in, report.duplicate_groups, report.documents_removed) == (12, 3, 4)
    rows = read_jsonl(report.output_files)
    assert sorted(r["text"] for r in rows) == ["A", "a", "a ", "b", "c", "dé", "e", "f"]
    assert all(set(r) == {"text"} for r in rows)  # the ids added for dedup are not written
    assert report.to_dict()["documents_out"] == 8
    # NeMo Curator's WorkflowRunResult view of the same run
    assert isinstance(report, WorkflowRunResult) and report.workflow_name == "exact_deduplication"
    assert sorted(p for t in report.pipeline_tasks["removal"] for p in t.data) == report.output_files
    assert report.get_metadata("num_duplicates") == 4 and report.get_metadata("total_time") == report.elapsed_s > 0
    assert set(report.to_dict()) == {*("documents_in", "duplicate_groups", "documents_removed"), *_PRINTED}
    assert "pipeline_tasks" not in repr(report) and "documents_removed=4" in repr(report)


_PRINTED = ("output_files", "elapsed_s", "documents_out")
