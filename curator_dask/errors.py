"""The exceptions curator_dask raises.

Every error a user can meet derives from one root, so ``except CuratorDaskError`` catches them all::

    CuratorDaskError
    ├── PipelineError        a pipeline that cannot be built or planned
    ├── StageError           a stage raised while processing a batch (names stage, task, worker)
    ├── StageSetupError      setup_on_node / setup raised on a worker
    ├── ResourceError        a stage asks for resources no worker has
    └── InputError           bad input data: names the file, the record and the fix

Each also derives from the builtin that callers of NeMo Curator would catch (``ValueError`` or
``RuntimeError``), so code written against NeMo Curator keeps working.
"""

from __future__ import annotations

__all__ = [
    "CuratorDaskError",
    "InputError",
    "PipelineError",
    "ResourceError",
    "StageError",
    "StageSetupError",
]


class CuratorDaskError(Exception):
    """Root of every curator_dask error."""


class PipelineError(CuratorDaskError, ValueError):
    """A pipeline that cannot be built or planned."""


class StageError(CuratorDaskError, RuntimeError):
    """A stage raised while processing a batch.

    Attributes:
        stage_name: the stage that raised.
        task_ids: ids of the tasks in the failing batch.
        worker: address of the worker it ran on (empty when run locally).
        source_files: input files the failing tasks came from, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        stage_name: str = "",
        task_ids: tuple[str, ...] = (),
        worker: str = "",
        source_files: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.stage_name = stage_name
        self.task_ids = task_ids
        self.worker = worker
        self.source_files = source_files

    def __reduce__(self):  # keep the attributes when pickled between processes
        return (
            _rebuild_stage_error,
            (type(self), str(self), self.stage_name, self.task_ids, self.worker, self.source_files),
        )


def _rebuild_stage_error(
    cls: type[StageError],
    message: str,
    stage_name: str,
    task_ids: tuple[str, ...],
    worker: str,
    source_files: tuple[str, ...],
) -> StageError:
    return cls(message, stage_name=stage_name, task_ids=task_ids, worker=worker, source_files=source_files)


class StageSetupError(CuratorDaskError, RuntimeError):
    """``setup_on_node`` or ``setup`` raised on a worker."""


class ResourceError(CuratorDaskError, ValueError):
    """A stage asks for resources that no worker of the cluster has."""


class InputError(CuratorDaskError, ValueError):
    """Bad input data; the message names the file, the record and the fix."""
