"""``RunResult``: a list of output tasks that also carries failures, stage totals and wall time."""

from __future__ import annotations

import pickle

from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.tasks import FailedTask


def test_run_result_is_a_list_with_run_details() -> None:
    result = RunResult(["a", "b"])
    assert isinstance(result, list)
    assert result == ["a", "b"]
    assert (result.failures, result.stages, result.wall_time, result.num_failed) == ([], [], 0.0, 0)
    result.failures.append(FailedTask(error="x"))
    assert result.num_failed == 1
    assert RunResult() == []


def test_stage_summary_throughput() -> None:
    assert StageSummary("s", items_in=10, seconds=2.0).items_per_second == 5.0
    assert StageSummary("s", items_in=10).items_per_second == 0.0


def test_run_result_pickles_with_its_details() -> None:
    result = RunResult([1, 2])
    result.failures.append("lost batch")
    result.wall_time = 2.0
    clone = pickle.loads(pickle.dumps(result))
    assert (clone, clone.failures, clone.wall_time) == ([1, 2], ["lost batch"], 2.0)
