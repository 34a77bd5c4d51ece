"""Step records of the dedup stages, the id filter of the second pass, and the two-pass fuzzy workflow."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import InputError
from curator_dask.examples.corpus import near_duplicates, write_parquet
from curator_dask.stages.deduplication import FuzzyDeduplicationWorkflow
from curator_dask.stages.deduplication._steps import STEP_LOGGER, StepLog, steps_from_metrics
from curator_dask.stages.deduplication.removal import DropIdsStage
from curator_dask.tasks import DocumentBatch

FUZZY_STEPS = ["read_minhash", "checks", "lsh_buckets", "buckets_to_edges", "connected_components", "removal_write"]


def test_step_log_times_logs_and_adds_up_repeated_steps(caplog) -> None:
    steps = StepLog("some_stage")
    with caplog.at_level(logging.DEBUG, logger=STEP_LOGGER):
        for rows in (3, 4):
            with steps.step("lsh_buckets") as record:
                record.rows = rows
        with steps.step("checks"):
            pass
    marks = [(r.dedup_step, r.dedup_phase) for r in caplog.records]  # type: ignore[attr-defined]
    assert marks == [("lsh_buckets", "start"), ("lsh_buckets", "end")] * 2 + [("checks", "start"), ("checks", "end")]
    assert "some_stage: lsh_buckets took" in caplog.records[1].getMessage()
    assert caplog.records[1].getMessage().endswith("(3 rows)")
    seconds, rows = steps_from_metrics(steps.metrics())
    assert list(seconds) == ["lsh_buckets", "checks"] and rows == {"lsh_buckets": 7}
    assert all(s >= 0 for s in seconds.values())


def test_drop_ids_stage_keeps_order_dtypes_and_index_of_the_rest() -> None:
    df = pd.DataFrame({"id": [5, 3, 9, 1], "meta": [[1], {"a": 2}, None, "x"], "n": np.arange(4, dtype="int8")})
    stage = DropIdsStage(np.array([1, 3, 77]), "id")
    out = stage.process(DocumentBatch(dataset_name="d", data=df)).to_pandas()
    assert out.equals(df.iloc[[0, 2]])
    dropped = DropIdsStage(np.array([5]), "id", drop_id_field=True).process(DocumentBatch(dataset_name="d", data=df))
    assert list(dropped.to_pandas().columns) == ["meta", "n"] and len(dropped.to_pandas()) == 3


@pytest.mark.parametrize("id_field", [None, "id"])
def test_fuzzy_workflow_removes_in_a_second_pass_exactly_the_ids_it_lists(client, tmp_path, id_field) -> None:
    src = tmp_path / "in"
    corpus = near_duplicates(150, seed=2, duplicate_share=0.4)
    write_parquet(src, corpus, num_files=5, columns=["id", "text", "kind"])
    common = {"input_path": str(src), "id_field": id_field, "bands_per_iteration": 10}
    listed = FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "ids"), perform_removal=False, **common)
    ids_report = listed.run(DaskExecutor(client=client))
    removal = pd.read_parquet(tmp_path / "ids")
    removed = FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "out"), **common)
    report = removed.run(DaskExecutor(client=client))
    kept = pd.read_parquet(report.output_files)
    assert 10 < report.documents_removed == ids_report.documents_removed == len(removal) < 150
    assert len(kept) == 150 - len(removal) and list(kept.columns) == ["id", "text", "kind"]
    if id_field == "id":
        assert set(kept["id"]) == set(corpus["id"]) - set(removal["id"])
    assert list(report.get_metadata("step_seconds")) == FUZZY_STEPS
    assert report.get_metadata("step_rows")["connected_components"] == len(removal)
    assert report.get_metadata("identification_time") < report.get_metadata("total_time")


def test_a_missing_text_column_is_refused_as_without_the_first_pass(client, tmp_path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    pd.DataFrame({"id": ["a", "b"], "body": ["x y z", "x y z"]}).to_parquet(src / "a.parquet")
    workflow = FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "out"), input_path=str(src))
    with pytest.raises(
        InputError,
        match=r"Stage 'fuzzy_duplicate_identification': the documents lack column\(s\) \['text'\] \(they have "
        r"\['id', 'body', '_curator_dedup_id'\]\)\. Run AddId\(id_field=\.\.\.\) before deduplication, or pass",
    ):
        workflow.run(DaskExecutor(client=client))
    assert not (tmp_path / "out").exists()


class _EditsInputAfterFirstRun(DaskExecutor):
    """A DaskExecutor that, as a user might, replaces one input file once the first pass is done."""

    def __init__(self, victim, **kwargs) -> None:
        super().__init__(**kwargs)
        self.victim, self.runs = victim, 0

    def execute(self, stages, initial_tasks=None):
        result = super().execute(stages, initial_tasks)
        self.runs += 1
        if self.runs == 1:
            frame = pd.read_parquet(self.victim)
            frame.iloc[:-1].to_parquet(self.victim)  # one document fewer: every later id would shift
        return result


def test_an_input_changed_between_the_passes_stops_the_run_before_anything_is_removed(client, tmp_path) -> None:
    src = tmp_path / "in"
    write_parquet(src, near_duplicates(120, seed=3, duplicate_share=0.4), num_files=3, columns=["id", "text"])
    victim = sorted(src.glob("*.parquet"))[1]
    workflow = FuzzyDeduplicationWorkflow(input_path=str(src), output_path=str(tmp_path / "out"), id_field=None)
    executor = _EditsInputAfterFirstRun(victim, client=client, config={"progress": False})
    expected = rf"changed before the documents were read again.*{victim.name}.*Nothing was deleted"
    with pytest.raises(InputError, match=expected):
        workflow.run(executor)
    assert executor.runs == 1  # the second pass never started
    assert not list((tmp_path / "out").glob("*.parquet"))
