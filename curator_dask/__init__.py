"""curator_dask: NeMo Curator's pipeline API (tasks, stages, pipelines) run on Dask.

Build a ``Pipeline`` of ``ProcessingStage``s and run it with ``DaskExecutor``. Importing this
package is light: ``distributed`` and every GPU library are loaded only when an executor is used.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from curator_dask.errors import CuratorDaskError
from curator_dask.metrics import TaskPerfUtils
from curator_dask.pipeline import Pipeline
from curator_dask.stages import CompositeStage, ProcessingStage, Resources, processing_stage
from curator_dask.tasks import DocumentBatch, EmptyTask, FailedTask, FileGroupTask, NoneTask, Task

if TYPE_CHECKING:
    from curator_dask.backends.dask import DaskExecutor

try:
    __version__ = version("curator_dask")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "CompositeStage",
    "CuratorDaskError",
    "DaskExecutor",
    "DocumentBatch",
    "EmptyTask",
    "FailedTask",
    "FileGroupTask",
    "NoneTask",
    "Pipeline",
    "ProcessingStage",
    "Resources",
    "Task",
    "TaskPerfUtils",
    "__version__",
    "processing_stage",
]


def __getattr__(name: str) -> Any:
    # DaskExecutor pulls in distributed; load it on first use, not at ``import curator_dask``.
    if name == "DaskExecutor":
        from curator_dask.backends.dask import DaskExecutor

        return DaskExecutor
    msg = f"module 'curator_dask' has no attribute {name!r}"
    raise AttributeError(msg)
