"""``WorkflowRunResult``: a workflow's pipelines' tasks and metadata, aggregated by ``TaskPerfUtils``."""

from __future__ import annotations

import pickle

import numpy as np

from curator_dask.metrics import StagePerfStats, TaskPerfUtils
from curator_dask.pipeline.workflow import WorkflowRunResult
from curator_dask.tasks import EmptyTask
from curator_dask.utils import performance_utils


def _task(stage: str, seconds: float) -> EmptyTask:
    return EmptyTask(dataset_name="d", data=None, _stage_perf=[StagePerfStats(stage_name=stage, process_time=seconds)])


def test_result_keeps_tasks_per_pipeline_and_metadata() -> None:
    result = WorkflowRunResult(workflow_name="fuzzy_deduplication")
    given = [_task("minhash", 1.0)]
    result.add_pipeline_tasks("minhash", given)
    result.add_pipeline_tasks("lsh", None)
    given.append(_task("minhash", 9.0))  # the result keeps its own list
    result.add_metadata("minhash_time", 1.5)
    result.extend_metadata({"num_duplicates": 3})
    result.extend_metadata(None)
    assert {k: len(v) for k, v in result.pipeline_tasks.items()} == {"minhash": 1, "lsh": 0}
    assert (result.get_metadata("minhash_time"), result.get_metadata("num_duplicates")) == (1.5, 3)
    assert result.get_metadata("missing") is None


def test_task_perf_utils_reads_a_workflow_result() -> None:
    result = WorkflowRunResult(workflow_name="w")
    result.add_pipeline_tasks("a", [_task("read", 1.0), _task("read", 1.0)])
    result.add_pipeline_tasks("b", [_task("write", 2.0)])
    metrics = TaskPerfUtils.collect_stage_metrics(result)
    # two equal records from two batch calls are two observations
    assert np.allclose(metrics["read"]["process_time"], [1.0, 1.0])
    assert np.allclose(metrics["write"]["process_time"], [2.0])


def test_one_record_shared_by_fanned_out_tasks_counts_once_even_after_pickling() -> None:
    shared = StagePerfStats(stage_name="split", process_time=3.0)
    tasks = [EmptyTask(dataset_name="d", data=None, _stage_perf=[shared]) for _ in range(4)]
    copies = [pickle.loads(pickle.dumps(t)) for t in tasks]  # as tasks come back from workers
    assert TaskPerfUtils.aggregate_task_metrics(copies)["split_process_time_sum"] == 3.0
    assert performance_utils.StagePerfStats is StagePerfStats
