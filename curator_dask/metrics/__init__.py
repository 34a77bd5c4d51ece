"""Performance records of stages and their aggregation."""

from curator_dask.metrics.task_perf import TaskPerfUtils
from curator_dask.utils.performance_utils import StagePerfStats, StageTimer

__all__ = ["StagePerfStats", "StageTimer", "TaskPerfUtils"]
