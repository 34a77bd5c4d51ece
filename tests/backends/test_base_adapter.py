"""``BaseStageAdapter.process_batch``: task ids, sentinels, failures and performance records."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.base import BaseStageAdapter, NodeInfo, WorkerMetadata
from curator_dask.errors import StageOutputError
from curator_dask.metrics import StagePerfStats
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch, EmptyTask, FailedTask, FileGroupTask, NoneTask, Task
from curator_dask.tasks.tasks import deterministic_hash

RANDOM_ID = re.compile(r"r[0-9a-f]{32}")


def _batch(task_id: str, *texts: str) -> DocumentBatch:
    batch = DocumentBatch(dataset_name="docs", data=pd.DataFrame({"text": list(texts)}))
    batch.task_id = task_id
    return batch


class FanOut(ProcessingStage[DocumentBatch, DocumentBatch]):
    """One single-row batch per input row."""

    name = "fan_out"

    def process(self, task: DocumentBatch) -> list[DocumentBatch]:
        df = task.to_pandas()
        return [DocumentBatch(dataset_name="docs", data=df.iloc[[i]]) for i in range(len(df))]


class DropEmptyText(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Filters (returns None for) a batch whose first text is empty."""

    name = "drop_empty"

    def process(self, task: DocumentBatch) -> DocumentBatch | None:
        return None if task.to_pandas()["text"].iloc[0] == "" else task


class MergePairs(ProcessingStage[DocumentBatch, DocumentBatch]):
    """An M-to-K batch stage: concatenates consecutive pairs of inputs."""

    name = "merge_pairs"
    batch_size = 3

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task

    def process_batch(self, tasks: list[DocumentBatch]) -> list[DocumentBatch | None]:
        pairs = [tasks[i : i + 2] for i in range(0, len(tasks), 2)]
        return [DocumentBatch("docs", pd.concat([t.to_pandas() for t in pair])) for pair in pairs]


class Reverse(MergePairs):
    """Returns its input objects, in reverse order."""

    name = "reverse"

    def process_batch(self, tasks: list[DocumentBatch]) -> list[DocumentBatch | None]:
        return list(reversed(tasks))


class ListFiles(ProcessingStage[Task, FileGroupTask]):
    """A source stage: one ``FileGroupTask`` per group of paths."""

    name = "list_files"
    groups: tuple[tuple[str, ...], ...] = (("b.jsonl", "a.jsonl"), ("c.jsonl",))

    def process(self, task: Task) -> list[FileGroupTask]:
        return [FileGroupTask(dataset_name="ds", data=list(group)) for group in self.groups]


class MakeDocs(ProcessingStage[Task, DocumentBatch]):
    """A source stage emitting DocumentBatches, which have no deterministic id."""

    name = "make_docs"

    def process(self, task: Task) -> list[DocumentBatch]:
        return [_batch("", "a"), _batch("", "b")]


class Emit(ProcessingStage[Task, Task]):
    """Returns whatever ``outputs`` holds, logging metrics as it goes."""

    name = "emit"

    def __init__(self, outputs: list[Any], metrics: dict[str, float] | None = None, fail: bool = False) -> None:
        self.out = outputs
        self.metrics = metrics or {}
        self.fail = fail
        self.calls: list[str] = []

    def process(self, task: Task) -> Task:
        return task

    def process_batch(self, tasks: list[Task]) -> list[Task | None]:
        if self.metrics:
            self._log_metrics(self.metrics)
            with self._time_metric("timed_s"):
                self._log_metric("one", 1)
        if self.fail:
            raise RuntimeError("stage failed")
        return list(self.out)

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        self.calls.append(f"setup_on_node:{node_info.node_id if node_info else ''}")

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        self.calls.append(f"setup:{worker_metadata.worker_id if worker_metadata else ''}")

    def teardown(self) -> None:
        self.calls.append("teardown")


def _source(stage: ProcessingStage) -> ProcessingStage:
    stage.is_source_stage = True
    return stage


# -- task ids ------------------------------------------------------------------------------------
def test_single_input_fans_out_with_indexed_ids() -> None:
    out = BaseStageAdapter(FanOut()).process_batch([_batch("0_0", "a", "b", "c")])
    assert [t.task_id for t in out] == ["0_0_0", "0_0_1", "0_0_2"]


def test_equal_counts_map_positionally_and_a_filtered_slot_disappears() -> None:
    inputs: list[Task] = [_batch("p1", "a"), _batch("p2", ""), _batch("p3", "c")]
    out = BaseStageAdapter(DropEmptyText()).process_batch(inputs)
    assert [t.task_id for t in out] == ["p1_0", "p3_0"]
    assert not any(isinstance(t, NoneTask) for t in out)


def test_positional_ids_survive_reordered_outputs() -> None:
    inputs: list[Task] = [_batch("p1", "a"), _batch("p2", "b"), _batch("p3", "c")]
    out = BaseStageAdapter(Reverse()).process_batch(inputs)
    assert [t.data["text"].iloc[0] for t in out] == ["c", "b", "a"]
    assert [t.task_id for t in out] == ["p1_0", "p2_0", "p3_0"]


def test_m_to_k_batch_gets_r_prefixed_ids() -> None:
    out = BaseStageAdapter(MergePairs()).process_batch([_batch("p1", "a"), _batch("p2", "b"), _batch("p3", "c")])
    assert len(out) == 2
    assert all(RANDOM_ID.fullmatch(t.task_id) for t in out)
    assert out[0].task_id != out[1].task_id


def test_m_to_k_ids_are_derived_from_the_parents_so_a_recomputed_batch_gets_the_same_ids() -> None:
    def ids(*parents: str) -> list[str]:
        inputs: list[Task] = [_batch(p, p) for p in parents]
        return [t.task_id for t in BaseStageAdapter(MergePairs()).process_batch(inputs)]

    assert ids("p1", "p2", "p3") == ids("p1", "p2", "p3")  # again, in another adapter: the same ids
    assert set(ids("p1", "p2", "p3")).isdisjoint(ids("p1", "p2", "p4"))  # other parents: other ids
    assert set(ids("p1", "p2", "p3")).isdisjoint(ids("p2", "p1", "p3"))  # order is part of the batch


class ReturnsWrong(ProcessingStage[DocumentBatch, DocumentBatch]):
    """``process`` returns what its ``make`` returns: a dict, a DataFrame, ..."""

    name = "returns_wrong"

    def __init__(self, make: Callable[[DocumentBatch], Any]) -> None:
        self.make = make

    def process(self, task: DocumentBatch) -> Any:
        return self.make(task)


class BatchReturnsWrong(ReturnsWrong):
    def process_batch(self, tasks: list[DocumentBatch]) -> Any:
        return self.make(tasks[0])


@pytest.mark.parametrize(
    ("stage", "shown"),
    [
        (ReturnsWrong(lambda t: {"text": "x"}), r"returned a dict from process\(\); process\(\) must return a Task"),
        (ReturnsWrong(lambda t: t.to_pandas()), r"returned a pandas\.DataFrame from process\(\)"),
        (ReturnsWrong(lambda t: [t, "oops"]), r"returned a str from process\(\)"),
        (BatchReturnsWrong(lambda t: None), r"returned None from process_batch\(\); process_batch\(\) must return"),
        (BatchReturnsWrong(lambda t: t), r"returned a curator_dask\.DocumentBatch instead of a list from process_"),
    ],
    ids=["dict", "dataframe", "str-in-list", "batch-none", "batch-task-not-in-list"],
)
def test_a_stage_returning_something_else_than_tasks_is_named_with_the_contract(stage: Any, shown: str) -> None:
    adapter = BaseStageAdapter(stage)
    with pytest.raises(StageOutputError, match=rf"Stage 'returns_wrong' {shown}") as info:
        adapter.process_batch([_batch("p1", "a")])
    assert isinstance(info.value, TypeError) and info.value.stage_name == "returns_wrong"
    assert "Wrap a DataFrame as DocumentBatch" in str(info.value)


def test_source_stage_uses_content_ids_of_file_groups() -> None:
    out = BaseStageAdapter(_source(ListFiles())).process_batch([EmptyTask()])
    assert [t.task_id for t in out] == [
        f"0_{deterministic_hash(['a.jsonl', 'b.jsonl'])}",
        f"0_{deterministic_hash(['c.jsonl'])}",
    ]
    assert all(re.fullmatch(r"0_[0-9a-f]{12}", t.task_id) for t in out)


def test_source_stage_content_ids_in_the_positional_case() -> None:
    stage = _source(Emit([FileGroupTask("ds", ["x"]), FileGroupTask("ds", ["y"])]))
    out = BaseStageAdapter(stage).process_batch([_batch("0_0", "a"), _batch("0_1", "b")])
    assert [t.task_id for t in out] == [f"0_0_{deterministic_hash(['x'])}", f"0_1_{deterministic_hash(['y'])}"]


def test_source_stage_without_content_ids_uses_positions() -> None:
    out = BaseStageAdapter(_source(MakeDocs())).process_batch([EmptyTask()])
    assert [t.task_id for t in out] == ["0_0", "0_1"]


def test_non_source_stage_ignores_content_ids() -> None:
    out = BaseStageAdapter(ListFiles()).process_batch([_batch("0_7", "a")])
    assert [t.task_id for t in out] == ["0_7_0", "0_7_1"]


# -- sentinels and failures ----------------------------------------------------------------------
def test_failed_task_from_a_source_stage_raises() -> None:
    with pytest.raises(ValueError, match="Source stage 'emit' emitted a FailedTask"):
        BaseStageAdapter(_source(Emit([FailedTask(error="bad")]))).process_batch([EmptyTask()])


def test_failed_task_elsewhere_is_recorded_and_dropped() -> None:
    failed = FailedTask(error="bad row")
    ok = _batch("", "fine")
    adapter = BaseStageAdapter(Emit([failed, ok]))
    out = adapter.process_batch([_batch("p1", "a"), _batch("p2", "b")])
    assert out == [ok]
    assert ok.task_id == "p2_0"
    assert adapter.failed_tasks == [failed]
    assert failed.task_id == "p1_0"


@pytest.mark.parametrize("sentinel", [NoneTask, EmptyTask])
def test_sentinels_are_stripped(sentinel: Callable[[], Task]) -> None:
    kept = _batch("", "a")
    out = BaseStageAdapter(Emit([sentinel(), kept, None])).process_batch([_batch("p", "x")])
    assert out == [kept]
    assert kept.task_id == "p_1"


def test_a_batch_that_filters_everything_returns_nothing() -> None:
    assert BaseStageAdapter(DropEmptyText()).process_batch([_batch("p1", ""), _batch("p2", "")]) == []


# -- performance records -------------------------------------------------------------------------
def test_one_shared_perf_record_is_appended_to_every_output() -> None:
    parent = _batch("0_0", "a", "b", "c")
    earlier = StagePerfStats(stage_name="reader")
    parent._stage_perf.append(earlier)
    out = BaseStageAdapter(FanOut()).process_batch([parent])
    records = [t._stage_perf[-1] for t in out]
    assert all(r is records[0] for r in records)
    record = records[0]
    assert isinstance(record, StagePerfStats)
    assert record.stage_name == "fan_out"
    assert record.process_time > 0
    assert record.num_items_processed == 3
    assert record.input_data_size_mb == pytest.approx(3 / 1024 / 1024)
    assert record.actor_idle_time == 0.0  # first batch of this adapter
    assert record.custom_metrics == {}


def test_custom_metrics_are_merged_into_the_record_and_consumed() -> None:
    stage = Emit([], metrics={"rows": 2, "bytes": 5.5})
    adapter = BaseStageAdapter(stage)
    first = _batch("", "a")
    stage.out = [first]
    adapter.process_batch([_batch("p", "a")])
    metrics = first._stage_perf[-1].custom_metrics
    assert metrics.keys() == {"rows", "bytes", "timed_s", "one"}
    assert (metrics["rows"], metrics["bytes"], metrics["one"]) == (2.0, 5.5, 1.0)

    stage.metrics = {}
    second = _batch("", "b")
    stage.out = [second]
    adapter.process_batch([_batch("p", "b")])
    assert second._stage_perf[-1].custom_metrics == {}
    assert second._stage_perf[-1] is not first._stage_perf[-1]
    assert second._stage_perf[-1].actor_idle_time >= 0.0


def test_metrics_of_a_failed_batch_do_not_reach_the_next_batch() -> None:
    stage = Emit([], metrics={"rows": 9}, fail=True)
    adapter = BaseStageAdapter(stage)
    with pytest.raises(RuntimeError, match="stage failed"):
        adapter.process_batch([_batch("p", "a")])
    stage.fail, stage.metrics = False, {}
    ok = _batch("", "b")
    stage.out = [ok]
    adapter.process_batch([_batch("p", "b")])
    assert ok._stage_perf[-1].custom_metrics == {}


# -- lifecycle -----------------------------------------------------------------------------------
def test_lifecycle_calls_are_forwarded_to_the_stage() -> None:
    stage = Emit([])
    adapter = BaseStageAdapter(stage)
    adapter.setup_on_node(NodeInfo(node_id="node-1"), WorkerMetadata(worker_id="w"))
    adapter.setup(WorkerMetadata(worker_id="tcp://w:1"))
    adapter.teardown()
    assert stage.calls == ["setup_on_node:node-1", "setup:tcp://w:1", "teardown"]
