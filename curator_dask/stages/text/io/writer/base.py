"""What the JSONL and Parquet writers share: the output mode, file names, atomic writes.

Building, copying, pickling or describing a writer never touches the file system; a local
``path`` (one without ``://``) is only made absolute, on the driver, so that a worker started in
another directory writes where the user meant. The ``mode`` takes effect once per run, on the
driver, before any work: the executor calls ``prepare_outputs(stages)``
(``writer/output_folder.py``), after ``check_output_paths(stages)`` has refused, in every mode,
an output path equal to, inside or containing an input path, and one that is or lies under a
file. What each mode may delete:

- ``"ignore"`` (the default) deletes only the temporary files (``.<name>.tmp-<32 hex>``) that an
  interrupted write of a curator_dask file ``<name>`` left behind, and the manifest entries of
  files that were never finished. Everything else stays; new files go beside it, and a file that
  an earlier run of the same pipeline wrote under the same name is replaced.
- ``"overwrite"`` deletes what curator_dask wrote there: the files the folder's manifest lists
  (written by a curator_dask writer or run report), their temporary files, the folders that held
  only those, and the ``.curator_dask/`` bookkeeping folder. If the folder holds anything else, it
  deletes nothing and raises ``OutputExistsError`` naming what is in the way.
- ``"error"`` deletes nothing: it raises ``OutputExistsError`` if the folder exists and is not empty.

All three create the folder when it is missing. ``"append"`` is NeMo Curator's placeholder and
not implemented. A writer used without an executor (``writer.process(batch)`` in a notebook) still
works: it creates the folder as it writes, and no mode is applied.

The manifest (``<path>/.curator_dask/written/``, see ``writer/manifest.py``) is how curator_dask
knows its own files: before a file is written its name is recorded there. File names are ``<12
hex>.<extension>``: ``utils.hash_utils.get_deterministic_hash`` of the task's
``_metadata["source_files"]`` with its ``task_id`` as seed (NeMo Curator's formula and call), so a
rerun or a recomputed batch writes the same name and a fan-out of one source into many tasks writes
distinct ones. Each file is written under a hidden temporary name in the same folder
(``.<name>.tmp-<32 random hex>``) and then moved to its final name, so a failed or interrupted task
leaves no partial file under a final name, and a retry replaces rather than duplicates it. Readers
skip hidden files. On object stores the move is a copy; each object still appears whole.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import fsspec
import pandas as pd

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.io.writer.manifest import OutputFolder
from curator_dask.tasks import DocumentBatch, FileGroupTask
from curator_dask.utils.hash_utils import get_deterministic_hash
from curator_dask.utils.paths import absolute_path

__all__ = ["BaseWriter"]

logger = logging.getLogger(__name__)

_MODES = ("ignore", "overwrite", "append", "error")


@dataclass
class BaseWriter(ProcessingStage[DocumentBatch, FileGroupTask], ABC):
    """Base of the writer stages: one file per ``DocumentBatch``, returned as a ``FileGroupTask``.

    Args:
        path: output folder, local (made absolute here) or an fsspec URL.
        file_extension: extension of the files written (set by each writer).
        write_kwargs: format options; ``storage_options`` go to fsspec.
        fields: write only these columns, in this order.
        mode: ``"ignore"``, ``"overwrite"`` or ``"error"``, applied when a run starts (see the
            module docstring); ``"append"`` is NeMo Curator's placeholder and not implemented.

    The returned task keeps the incoming ``_stage_perf`` and ``_metadata`` (plus ``format``).
    """

    path: str
    file_extension: str
    write_kwargs: dict[str, Any] = field(default_factory=dict)
    fields: list[str] | None = None
    name: str = "BaseWriter"
    mode: Literal["ignore", "overwrite", "append", "error"] = "ignore"

    # What a resumed run compares: the mode says what to do with the folder, not what is written.
    _fingerprint_ignore = ("mode",)

    def __post_init__(self) -> None:
        self.write_kwargs = dict(self.write_kwargs or {})
        if self.mode not in _MODES:
            msg = (
                f"Invalid mode: {self.mode!r} for writer {self.name!r}. Allowed: 'ignore', 'overwrite', 'error' "
                "('append' is not implemented). Fix: pass one of them as mode=..."
            )
            raise ConfigError(msg)
        if self.mode == "append":
            msg = "append mode is not implemented; mode='ignore' adds files to an existing directory"
            raise NotImplementedError(msg)
        self.path = absolute_path(self.path)  # on the driver: workers may run in another directory

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def get_file_extension(self) -> str:
        return self.file_extension

    @abstractmethod
    def write_data(self, task: DocumentBatch, fs: fsspec.AbstractFileSystem, fs_path: str) -> None:
        """Write the batch (``self.fields`` only, when set) to ``fs_path`` on ``fs``."""

    # -- the shared mechanics -----------------------------------------------------------------
    def process(self, task: DocumentBatch) -> FileGroupTask:
        folder = OutputFolder(self.path, self.write_kwargs.get("storage_options"))
        file_name = f"{self._base_name(task)}.{self.get_file_extension()}"
        written = self._write_file(folder, file_name, lambda fs, temp: self.write_data(task, fs, temp))
        logger.debug("Wrote %d records to %s", task.num_items, written)
        return FileGroupTask(
            dataset_name=task.dataset_name,
            data=[written],
            _metadata={**task._metadata, "format": self.get_file_extension()},
            _stage_perf=task._stage_perf,
        )

    @staticmethod
    def _write_file(folder: OutputFolder, file_name: str, write: Callable[[Any, str], None]) -> str:
        """Record ``file_name`` in the manifest, ``write(fs, temp_path)``, move it into place; its path."""
        fs, root = folder.fs, folder.root
        final_path = f"{root}/{file_name}"
        # 32 random hex (the manifest's pattern); not uuid4, which names only files without a source
        temp_path = f"{root}/.{file_name}.tmp-{secrets.token_hex(16)}"
        # Recorded first (which also creates the folder), so that whichever step a crash follows,
        # the files it leaves are traceable to this entry and overwrite may remove them.
        folder.record(file_name)
        try:
            write(fs, temp_path)
            fs.mv(temp_path, final_path)
        except BaseException:
            with contextlib.suppress(Exception):
                if fs.exists(temp_path):
                    fs.rm(temp_path)
            raise
        protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
        return final_path if "file" in protocols else fs.unstrip_protocol(final_path)

    def _base_name(self, task: DocumentBatch) -> str:
        source_files = task._metadata.get("source_files")
        if source_files:
            return get_deterministic_hash([str(f) for f in source_files], task.task_id)
        if task.task_id:
            # NeMo Curator draws a uuid4 here; a name from the task id keeps a recomputed batch's
            # file one file, so a retry replaces it instead of adding a second copy.
            return get_deterministic_hash([task.dataset_name], task.task_id)
        logger.warning("Task has neither source_files nor a task_id; naming its output with a random uuid")
        return uuid.uuid4().hex

    def _frame(self, task: DocumentBatch) -> pd.DataFrame:
        """The batch as pandas, restricted to ``fields``."""
        frame = task.to_pandas()
        return frame if self.fields is None else frame.reindex(columns=self._checked_fields(task))

    def _checked_fields(self, task: DocumentBatch) -> list[str]:
        fields = list(self.fields or [])
        missing = [f for f in fields if f not in task.get_columns()]
        # An empty batch may lack columns (every file skipped); it still gets a file.
        if missing and task.num_items > 0:
            msg = (
                f"Writer {self.name!r}: fields {missing} are not columns of the batch from "
                f"{task._metadata.get('source_files', task.task_id)} (it has {task.get_columns()}). "
                "Fix the writer's fields=[...] or add the columns in an earlier stage."
            )
            raise InputError(msg)
        return fields
