"""``TaskPerfUtils``: per-stage aggregation of the records output tasks carry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curator_dask.metrics import StagePerfStats, TaskPerfUtils
from curator_dask.tasks import DocumentBatch, Task


def _task(*perfs: StagePerfStats) -> DocumentBatch:
    return DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": ["a"]}), _stage_perf=list(perfs))


def _perf(stage: str, process_time: float, items: int = 1, **custom: float) -> StagePerfStats:
    return StagePerfStats(stage, process_time=process_time, num_items_processed=items, custom_metrics=dict(custom))


@pytest.fixture
def fanned_out() -> list[Task]:
    """One reader batch fanned out into three tasks (one shared record), then one scorer batch each."""
    read = _perf("reader", 1.0, items=3, files=2.0)
    return [_task(read, _perf("scorer", t)) for t in (0.5, 1.5, 2.5)]


def test_collect_counts_a_shared_record_once(fanned_out: list[Task]) -> None:
    metrics = TaskPerfUtils.collect_stage_metrics(fanned_out)
    assert set(metrics) == {"reader", "scorer"}
    np.testing.assert_array_equal(metrics["reader"]["process_time"], [1.0])
    np.testing.assert_array_equal(metrics["reader"]["custom.files"], [2.0])
    np.testing.assert_array_equal(metrics["scorer"]["process_time"], [0.5, 1.5, 2.5])
    assert set(metrics["scorer"]) == {"process_time", "actor_idle_time", "input_data_size_mb", "num_items_processed"}


@pytest.mark.parametrize("empty", [None, [], {}])
def test_collect_of_nothing_is_empty(empty: object) -> None:
    assert TaskPerfUtils.collect_stage_metrics(empty) == {}  # type: ignore[arg-type]


def test_aggregate_keys_and_values(fanned_out: list[Task]) -> None:
    agg = TaskPerfUtils.aggregate_task_metrics(fanned_out)
    assert agg["scorer_process_time_sum"] == pytest.approx(4.5)
    assert agg["scorer_process_time_mean"] == pytest.approx(1.5)
    assert agg["scorer_process_time_std"] == pytest.approx(np.std([0.5, 1.5, 2.5]))
    assert agg["reader_num_items_processed_sum"] == 3.0
    assert agg["reader_custom.files_mean"] == 2.0
    assert len(agg) == 2 * 4 * 3 + 3  # two stages x four metrics x three aggregates, plus the custom one


def test_aggregate_with_prefix(fanned_out: list[Task]) -> None:
    agg = TaskPerfUtils.aggregate_task_metrics(fanned_out, prefix="run1")
    assert agg["run1_scorer_process_time_sum"] == pytest.approx(4.5)
    assert not any(k.startswith("scorer_") for k in agg)


def test_get_aggregated_stage_stat_sums_over_matching_stages() -> None:
    tasks = [_task(_perf("read_a", 1.0, items=4), _perf("read_b", 2.0, items=6), _perf("score", 9.0, items=10))]
    assert TaskPerfUtils.get_aggregated_stage_stat(tasks, "read", "num_items_processed") == 10.0
    assert TaskPerfUtils.get_aggregated_stage_stat(tasks, "read", "process_time") == 3.0
    assert TaskPerfUtils.get_aggregated_stage_stat(tasks, "nothing", "process_time") == 0.0
    assert TaskPerfUtils.get_aggregated_stage_stat(tasks, "read", "custom.unknown") == 0.0


def test_mapping_of_several_pipelines_prefixes_stage_names() -> None:
    runs = {"first": [_task(_perf("s", 1.0))], "second": [_task(_perf("s", 3.0)), _task(_perf("s", 5.0))]}
    agg = TaskPerfUtils.aggregate_task_metrics(runs)
    assert agg["first_s_process_time_sum"] == 1.0
    assert agg["second_s_process_time_sum"] == 8.0
    assert TaskPerfUtils.aggregate_task_metrics(runs, prefix="x")["x_second_s_process_time_mean"] == 4.0
    np.testing.assert_array_equal(TaskPerfUtils.collect_stage_metrics(runs)["s"]["process_time"], [1.0, 3.0, 5.0])


def test_mapping_of_one_pipeline_is_not_prefixed() -> None:
    agg = TaskPerfUtils.aggregate_task_metrics({"only": [_task(_perf("s", 1.0))]})
    assert "s_process_time_sum" in agg


def test_workflow_result_shape_and_single_task_values() -> None:
    result = {"pipeline_tasks": {"a": _task(_perf("s", 2.0)), "b": None}}
    assert TaskPerfUtils.collect_stage_metrics(result)["s"]["process_time"].tolist() == [2.0]
    plain = {"pipeline_tasks": [_task(_perf("s", 4.0))]}  # a pipeline that happens to be called pipeline_tasks
    assert TaskPerfUtils.collect_stage_metrics(plain)["s"]["process_time"].tolist() == [4.0]
