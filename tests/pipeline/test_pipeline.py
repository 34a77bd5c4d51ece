"""``Pipeline``: building, roles, description, and running on a small in-process executor."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.base import BaseExecutor, BaseStageAdapter, NodeInfo, WorkerMetadata
from curator_dask.errors import CuratorDaskError, PipelineError
from curator_dask.pipeline import Pipeline
from curator_dask.stages import CompositeStage, ProcessingStage, Resources
from curator_dask.stages.base import StageInputSpec
from curator_dask.tasks import DocumentBatch, EmptyTask, FileGroupTask, Task


class SequentialExecutor(BaseExecutor):
    """A real, minimal executor: every stage in turn, in this process, ``batch_size`` tasks at a time."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.stages: list[ProcessingStage] = []
        self.initial_ids: list[str] | None = None  # ids as received; stages re-derive them on the objects

    def execute(self, stages: list[ProcessingStage], initial_tasks: list[Task] | None = None) -> list[Task]:
        self.stages = stages
        self.initial_ids = None if initial_tasks is None else [t.task_id for t in initial_tasks]
        tasks: list[Task] = list(initial_tasks) if initial_tasks else [EmptyTask()]
        for stage in stages:
            adapter = BaseStageAdapter(stage)
            adapter.setup_on_node(NodeInfo(node_id="local"), WorkerMetadata(worker_id="local"))
            adapter.setup(WorkerMetadata(worker_id="local"))
            size = stage.batch_size or 1
            tasks = [out for i in range(0, len(tasks), size) for out in adapter.process_batch(tasks[i : i + size])]
            adapter.teardown()
        return tasks


class ListFiles(ProcessingStage[Task, FileGroupTask]):
    name = "list_files"

    def process(self, task: Task) -> list[FileGroupTask]:
        return [FileGroupTask(dataset_name="ds", data=[f"{i}.jsonl"]) for i in range(2)]


class ReadFiles(ProcessingStage[FileGroupTask, DocumentBatch]):
    name = "read_files"
    resources = Resources(cpus=2.0)
    batch_size = 4

    def inputs(self) -> StageInputSpec:
        return ["data"], []

    def outputs(self) -> StageInputSpec:
        return [], ["text"]

    def process(self, task: FileGroupTask) -> DocumentBatch:
        data = pd.DataFrame({"text": [f"{p}: a b" for p in task.data]})
        return DocumentBatch(dataset_name="ds", data=data, _stage_perf=list(task._stage_perf))


class AddLength(ProcessingStage[DocumentBatch, DocumentBatch]):
    name = "add_length"

    def inputs(self) -> StageInputSpec:
        return [], ["text"]

    def outputs(self) -> StageInputSpec:
        return [], ["length"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        task.data["length"] = task.data["text"].str.len()
        return task


class Reader(CompositeStage[Task, DocumentBatch]):
    name = "reader"

    def decompose(self) -> list[ProcessingStage]:
        return [ListFiles(), ReadFiles()]


class Nested(CompositeStage[Task, DocumentBatch]):
    name = "nested"

    def decompose(self) -> list[ProcessingStage]:
        return [Reader()]


def _marked(stage: ProcessingStage, **roles: bool) -> ProcessingStage:
    for role, value in roles.items():
        setattr(stage, role, value)
    return stage


def _docs(text: str) -> DocumentBatch:
    return DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": [text]}))


# -- adding and building -------------------------------------------------------------------------
@pytest.mark.parametrize("not_a_stage", ["add_length", AddLength, lambda task: task, None])
def test_add_stage_rejects_non_stages(not_a_stage: Any) -> None:
    with pytest.raises(TypeError, match="add_stage takes a ProcessingStage"):
        Pipeline("p").add_stage(not_a_stage)
    with pytest.raises(TypeError):
        Pipeline("p", stages=[not_a_stage])


def test_add_stage_chains() -> None:
    pipeline = Pipeline("p")
    assert pipeline.add_stage(ListFiles()).add_stage(AddLength()) is pipeline
    assert [s.name for s in pipeline.stages] == ["list_files", "add_length"]


def test_build_of_an_empty_pipeline_raises_value_error() -> None:
    with pytest.raises(ValueError, match="has no stages") as info:
        Pipeline("empty").build()
    assert isinstance(info.value, PipelineError | CuratorDaskError)


def test_build_expands_composites_and_records_the_decomposition() -> None:
    pipeline = Pipeline("p", stages=[Reader(), AddLength()])
    stages = pipeline.build()
    assert [s.name for s in stages] == ["list_files", "read_files", "add_length"]
    assert pipeline.stages == stages
    assert pipeline.decomposition_info == {"reader": ["list_files", "read_files"]}


def test_build_applies_composite_with_overrides() -> None:
    reader = Reader().with_({"read_files": {"batch_size": 2, "name": "read"}})
    stages = Pipeline("p", stages=[reader]).build()
    assert [(s.name, s.batch_size) for s in stages] == [("list_files", 1), ("read", 2)]


def test_build_rejects_a_nested_composite() -> None:
    with pytest.raises(TypeError, match="nesting is not supported"):
        Pipeline("p", stages=[Nested()]).build()


def test_build_marks_first_as_source_and_last_as_sink() -> None:
    first, middle, last = ListFiles(), ReadFiles(), AddLength()
    Pipeline("p", stages=[first, middle, last]).build()
    assert [(s.is_source_stage, s.is_sink_stage) for s in (first, middle, last)] == [
        (True, False),
        (False, False),
        (False, True),
    ]


def test_single_stage_is_both_source_and_sink() -> None:
    (only,) = Pipeline("p", stages=[ListFiles()]).build()
    assert only.is_source_stage
    assert only.is_sink_stage


def test_build_keeps_explicit_roles() -> None:
    first, middle, last = AddLength(), _marked(ListFiles(), is_source_stage=True, is_sink_stage=True), AddLength()
    Pipeline("p", stages=[first, middle, last]).build()
    assert not first.is_source_stage
    assert not last.is_sink_stage


@pytest.mark.parametrize(("role", "kind"), [("is_source_stage", "source"), ("is_sink_stage", "sink")])
def test_more_than_one_explicit_role_raises(role: str, kind: str) -> None:
    stages = [_marked(ListFiles(), **{role: True}), AddLength(), _marked(AddLength(), **{role: True})]
    with pytest.raises(ValueError, match=f"more than one {kind} stage marked"):
        Pipeline("p", stages=stages).build()


# -- describe ------------------------------------------------------------------------------------
def test_describe_lists_stages_resources_batch_sizes_inputs_and_outputs() -> None:
    class GpuLength(AddLength):
        name = "gpu_length"
        resources = Resources(gpus=1.0)
        batch_size = None

    gpu_stage = GpuLength()
    text = Pipeline("demo", description="reads and measures", stages=[ReadFiles(), gpu_stage]).describe()
    for expected in (
        "Pipeline: demo",
        "Description: reads and measures",
        "Stages: 2",
        "Stage 1: read_files (ReadFiles)",
        "  Resources: 2 CPUs",
        "  Batch size: 4",
        "    Required attributes: data",
        "    Output columns: text",
        "Stage 2: gpu_length (GpuLength)",
        "  Resources: 1 CPUs, 1 GPU",
        "  Batch size: None",
        "    Required columns: text",
        "    Output columns: length",
    ):
        assert expected in text.splitlines(), expected


def test_describe_without_description() -> None:
    assert "Description: No description provided" in Pipeline("p", stages=[AddLength()]).describe()


def test_describe_reports_a_stage_whose_spec_fails() -> None:
    class Broken(AddLength):
        name = "broken"

        def inputs(self) -> StageInputSpec:
            raise RuntimeError("no spec")

    assert "  Error getting stage info: no spec" in Pipeline("p", stages=[Broken()]).describe().splitlines()


def test_repr_names_the_stages() -> None:
    assert repr(Pipeline("p", stages=[AddLength()])) == "Pipeline(name='p', stages=[add_length(AddLength)])"


# -- run -----------------------------------------------------------------------------------------
def test_run_gives_initial_tasks_root_ids_and_passes_built_stages() -> None:
    executor = SequentialExecutor()
    pipeline = Pipeline("p", stages=[AddLength()])
    initial: list[Task] = [_docs("a"), _docs("bb"), _docs("ccc")]
    out = pipeline.run(executor, initial_tasks=initial)
    assert executor.initial_ids == ["0_0", "0_1", "0_2"]
    assert executor.stages == pipeline.stages
    assert executor.stages[0].is_source_stage
    assert sorted(t.task_id for t in out) == ["0_0_0", "0_1_0", "0_2_0"]
    assert sorted(int(t.data["length"].iloc[0]) for t in out) == [1, 2, 3]


def test_run_without_initial_tasks_starts_from_an_empty_task() -> None:
    executor = SequentialExecutor()
    out = Pipeline("p", stages=[Reader(), AddLength()]).run(executor)
    assert executor.initial_ids is None
    assert len(out) == 2
    for task in out:
        assert re.fullmatch(r"0_[0-9a-f]{12}_0_0", task.task_id)
        assert [p.stage_name for p in task._stage_perf] == ["list_files", "read_files", "add_length"]
    assert len({t.task_id for t in out}) == 2


def test_assign_root_ids_leaves_an_empty_task_alone() -> None:
    executor = SequentialExecutor()
    Pipeline("p", stages=[ListFiles()]).run(executor, initial_tasks=[EmptyTask()])
    assert executor.initial_ids == ["0"]


def test_base_executor_is_abstract_and_keeps_its_config() -> None:
    with pytest.raises(TypeError):
        BaseExecutor()  # type: ignore[abstract]
    executor = SequentialExecutor()
    assert executor.config == {}
    assert executor.ignore_head_node is False
    assert SequentialExecutor({"k": 1}).config == {"k": 1}
