"""The Dask backend: ``DaskExecutor`` and its stage adapter."""

from curator_dask.backends.dask.adapter import DaskStageAdapter
from curator_dask.backends.dask.executor import DaskExecutor

__all__ = ["DaskExecutor", "DaskStageAdapter"]
