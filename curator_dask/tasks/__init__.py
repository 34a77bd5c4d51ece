"""Tasks: the units of work that flow between stages."""

from curator_dask.tasks.document import DocumentBatch
from curator_dask.tasks.file_group import FileGroupTask
from curator_dask.tasks.sentinels import EmptyTask, FailedTask, NoneTask, SentinelTask
from curator_dask.tasks.tasks import Task

__all__ = ["DocumentBatch", "EmptyTask", "FailedTask", "FileGroupTask", "NoneTask", "SentinelTask", "Task"]
