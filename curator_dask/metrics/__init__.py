"""Performance records of stages and their aggregation."""

from curator_dask.utils.performance_utils import StagePerfStats, StageTimer
from curator_dask.metrics.task_perf import TaskPerfUtils

__all__ = ["StagePerfStats", "StageTimer", "TaskPerfUtils"]
