"""The exceptions curator_dask raises.

Every error a user can meet derives from one root, so ``except CuratorDaskError`` catches them all::

    CuratorDaskError
    ├── ConfigError            a bad setting: executor config, YAML file, cluster option, CLI flag
    │   ├── ConfigTypeError    a setting of the wrong type (also a TypeError)
    │   └── ModelNotFoundError a model file or weights that are not where the stage was told to look
    ├── PipelineError          a pipeline that cannot be built, planned or shipped to the workers
    │   └── ResourceError      a stage asks for resources no worker has
    ├── ClusterError           a cluster that cannot be reached, started or is set up wrongly
    ├── StageError             a stage raised while processing a batch (names stage, task, worker)
    │   └── StageOutputError   a stage returned something that is not a task, a list or None
    ├── StageSetupError        setup_on_node / setup raised, or outlasted setup_timeout, on a worker
    ├── InputError             bad input data: names the file, the record and the fix
    │   ├── BadInputError      one bad file or record; what on_error="skip" records of it
    │   │   └── MissingFieldsError  a Parquet file lacks requested fields (also pyarrow's ArrowInvalid)
    │   └── DuplicateIdError   an id column that deduplication needs unique holds repeated or null ids
    └── OutputError            an output location that would lose or mix data
        ├── OutputExistsError  the folder holds files the writer's mode may not replace
        └── OutputOverlapError an output path equal to, inside or containing an input path

Each also derives from the builtin that callers of NeMo Curator would catch (``ValueError``,
``RuntimeError``, ``TypeError``, ``FileExistsError`` or ``FileNotFoundError``), so code written against NeMo Curator
keeps working. Every message says what was wrong, where, and how to fix it.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = [
    "BadInputError",
    "ClusterError",
    "ConfigError",
    "ConfigTypeError",
    "CuratorDaskError",
    "DuplicateIdError",
    "InputError",
    "MissingFieldsError",
    "ModelNotFoundError",
    "OutputError",
    "OutputExistsError",
    "OutputOverlapError",
    "PipelineError",
    "ResourceError",
    "StageError",
    "StageOutputError",
    "StageSetupError",
]


class CuratorDaskError(Exception):
    """Root of every curator_dask error."""


class ConfigError(CuratorDaskError, ValueError):
    """A setting that cannot be used: unknown key, wrong type or value out of range."""


class ConfigTypeError(ConfigError, TypeError):
    """A setting of the wrong type (a number where paths belong), where NeMo Curator raises ``TypeError``."""
class ModelNotFoundError(FileNotFoundError, ConfigError):
    """A model file (or a model's weights) that is not where the stage was told to find it, on this node.

    ``FileNotFoundError`` comes first so that the exception survives the pickling (tblib's) that
    carries it from a worker to the client; with ``ValueError`` first, unpickling it fails.
    """


class PipelineError(CuratorDaskError, ValueError):
    """A pipeline that cannot be built, planned or sent to the workers."""


class ResourceError(PipelineError):
    """A stage asks for resources that no worker of the cluster has."""


class ClusterError(CuratorDaskError, RuntimeError):
    """A cluster that cannot be reached, has too few workers, or is set up wrongly."""


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

    def __reduce__(self) -> tuple[Any, ...]:  # keep the attributes when pickled between processes
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


class StageOutputError(StageError, TypeError):
    """A stage's ``process`` / ``process_batch`` returned something other than tasks."""


class StageSetupError(CuratorDaskError, RuntimeError):
    """``setup_on_node`` or ``setup`` raised on a worker, or did not finish within ``setup_timeout``."""


class InputError(CuratorDaskError, ValueError):
    """Bad input data; the message names the file, the record and the fix."""


class BadInputError(InputError):
    """One bad file or record; ``record`` is what ``on_error="skip"`` keeps of it.

    Args:
        file: the file that is bad (or holds the bad record).
        reason: what is wrong with it.
        fix: what the user can do about it.
        line: the record's line number, where there is one.
        detail: more text after the reason (an offset, the start of the line).
    """

    def __init__(self, file: str, reason: str, *, fix: str, line: int | None = None, detail: str = "") -> None:
        where = file if line is None else f"{file}, line {line}"
        super().__init__(f"{where}: {reason}{detail}. Fix: {fix}.")
        self.record: dict[str, Any] = {"file": file, "line": line, "reason": reason}

    def __reduce__(self) -> tuple[Any, ...]:  # the message is built; rebuild from it alone
        return (_rebuild_bad_input, (type(self), str(self), self.record))


def _rebuild_bad_input(cls: type[BadInputError], message: str, record: dict[str, Any]) -> BadInputError:
    error = cls.__new__(cls)
    InputError.__init__(error, message)
    error.record = record
    return error


class MissingFieldsError(BadInputError, pa.ArrowInvalid):
    """A Parquet file lacks some of the reader's ``fields``.

    NeMo Curator's Parquet reader lets pyarrow raise ``ArrowInvalid`` there, so code that catches
    ``pyarrow.ArrowInvalid`` (or ``ValueError``) catches this too.
    """


class DuplicateIdError(InputError):
    """An id column that deduplication or removal needs to be unique holds repeated or null ids."""


class OutputError(CuratorDaskError, ValueError):
    """An output location that would lose, mix or overwrite data."""


class OutputExistsError(FileExistsError, OutputError):
    """The output folder holds files that the writer's ``mode`` may not replace."""


class OutputOverlapError(OutputError):
    """An output path equal to, inside or containing one of the pipeline's input paths."""
