"""NeMo Curator keeps ``TaskPerfUtils`` here; curator_dask keeps it in ``curator_dask.metrics``."""

from curator_dask.metrics.task_perf import TaskPerfUtils

__all__ = ["TaskPerfUtils"]
