"""``AddId``: run-wide unique ids from the task id, without coordination between workers."""

from __future__ import annotations

import logging

import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.errors import CuratorDaskError
from curator_dask.stages.text.modules import AddId
from curator_dask.tasks import DocumentBatch


def _batch(task_id: str, rows: int = 3, data: pd.DataFrame | pa.Table | None = None) -> DocumentBatch:
    frame = data if data is not None else pd.DataFrame({"text": [f"doc {i}" for i in range(rows)]})
    batch = DocumentBatch(dataset_name="ds", data=frame, _metadata={"k": 1}, _stage_perf=["perf"])
    batch._set_task_id("", task_id)
    return batch


def test_ids_are_unique_across_tasks_of_a_run() -> None:
    # Ids as the framework assigns them: fan-outs, positional maps, a random id; mixed depths.
    task_ids = ["0_0", "0_1", "0_0_0", "0_0_1", "0_1_0", "0_10", "0_1_0_0", "r3f9a0c"]
    stage = AddId(id_field="doc_id", id_prefix="web")
    ids = [i for t in task_ids for i in stage.process(_batch(t, rows=12)).to_pandas()["doc_id"]]
    assert len(ids) == len(set(ids)) == 12 * len(task_ids)


def test_format_with_and_without_prefix() -> None:
    assert AddId("id").process(_batch("0_7")).to_pandas()["id"].tolist() == ["0_7_0", "0_7_1", "0_7_2"]
    with_prefix = AddId("id", id_prefix="cc").process(_batch("0_7", rows=2))
    assert with_prefix.to_pandas()["id"].tolist() == ["cc_0_7_0", "cc_0_7_1"]


def test_keeps_bookkeeping_and_leaves_the_input_alone() -> None:
    batch = _batch("0_1")
    out = AddId("id").process(batch)
    assert out._metadata == {"k": 1} and out._stage_perf == ["perf"] and out.dataset_name == "ds"
    assert "id" not in batch.to_pandas().columns
    assert AddId("id").outputs() == (["data"], ["id"])


def test_existing_column_raises_naming_column_and_fix() -> None:
    batch = _batch("0_1", data=pd.DataFrame({"text": ["a"], "id": ["old"]}))
    with pytest.raises(CuratorDaskError) as info:
        AddId("id").process(batch)
    assert isinstance(info.value, ValueError)
    assert "'id'" in str(info.value) and "overwrite=True" in str(info.value)


def test_overwrite_replaces_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    batch = _batch("0_1", data=pd.DataFrame({"text": ["a"], "id": ["old"]}))
    with caplog.at_level(logging.WARNING):
        out = AddId("id", overwrite=True).process(batch)
    assert out.to_pandas()["id"].tolist() == ["0_1_0"]
    assert "overwritten" in caplog.text


def test_pyarrow_and_empty_batches() -> None:
    out = AddId("id").process(_batch("0_2", data=pa.table({"text": ["x", "y"]})))
    assert out.to_pandas()["id"].tolist() == ["0_2_0", "0_2_1"]
    assert AddId("id").process(_batch("0_3", rows=0)).num_items == 0


def test_a_batch_without_task_id_gets_nemo_ids_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    batch = DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": ["a", "b"]}))
    with caplog.at_level(logging.WARNING):
        plain = AddId("id").process(batch)
        prefixed = AddId("id", id_prefix="web").process(batch)
    assert plain.to_pandas()["id"].tolist() == ["_0", "_1"]
    assert prefixed.to_pandas()["id"].tolist() == ["web__0", "web__1"]
    assert "has no task_id" in caplog.text and "repeat" in caplog.text
