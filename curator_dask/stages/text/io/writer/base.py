"""What the JSONL and Parquet writers share: the output mode, file names, atomic writes.

Output mode (``mode``) is applied once, in the writer's constructor, on the driver, as NeMo
Curator does: ``"ignore"`` writes into the directory as it is, ``"overwrite"`` deletes it first,
``"error"`` refuses a directory that exists and is not empty; all three then create it. Not in
``setup_on_node`` (once per *node*: on several nodes each would clear the others' output) nor in
``setup`` (once per worker). Copies made by ``with_()``, by pickling to workers or by the
executor never run the constructor again, so the directory is cleared exactly once per writer
built. Build the writer when you build the pipeline, not long before.

File names are ``<12 hex>.<extension>``: the hash of the task's ``_metadata["source_files"]`` with
its ``task_id`` as seed (NeMo Curator's formula), so a rerun writes the same names and a
fan-out of one source into many tasks writes distinct ones. Each file is written under a hidden
temporary name in the same directory (``.<name>.tmp-<uuid>``) and then moved to its final name,
so a failed or interrupted task leaves no partial file under a final name, and a retry replaces
rather than duplicates it. A worker killed mid-write can leave a hidden temporary file; readers
skip hidden files. On object stores the move is a copy; each object still appears whole.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

import fsspec
import pandas as pd
from fsspec.core import url_to_fs

from curator_dask.errors import InputError, OutputExistsError
from curator_dask.stages.base import ProcessingStage
from curator_dask.tasks import DocumentBatch, FileGroupTask
from curator_dask.tasks.tasks import deterministic_hash

__all__ = ["BaseWriter"]

logger = logging.getLogger(__name__)

_MODES = ("ignore", "overwrite", "append", "error")


@dataclass
class BaseWriter(ProcessingStage[DocumentBatch, FileGroupTask], ABC):
    """Base of the writer stages: one file per ``DocumentBatch``, returned as a ``FileGroupTask``.

    Args:
        path: output directory, local or an fsspec URL.
        file_extension: extension of the files written (set by each writer).
        write_kwargs: format options; ``storage_options`` go to fsspec.
        fields: write only these columns, in this order.
        mode: ``"ignore"``, ``"overwrite"`` or ``"error"`` (see the module docstring);
            ``"append"`` is NeMo Curator's placeholder and not implemented.

    The returned task keeps the incoming ``_stage_perf`` and ``_metadata`` (plus ``format``).
    """

    path: str
    file_extension: str
    write_kwargs: dict[str, Any] = field(default_factory=dict)
    fields: list[str] | None = None
    name: str = "BaseWriter"
    mode: Literal["ignore", "overwrite", "append", "error"] = "ignore"

    def __post_init__(self) -> None:
        self.write_kwargs = dict(self.write_kwargs or {})
        if self.mode not in _MODES:
            msg = f"Invalid mode: {self.mode!r}. Allowed: {list(_MODES)}"
            raise ValueError(msg)
        if self.mode == "append":
            msg = "append mode is not implemented; mode='ignore' adds files to an existing directory"
            raise NotImplementedError(msg)
        self._prepare_output_dir()

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
    def _filesystem(self) -> tuple[fsspec.AbstractFileSystem, str]:
        fs, root = url_to_fs(self.path, **self.write_kwargs.get("storage_options", {}))
        return fs, root.rstrip("/")

    def _prepare_output_dir(self) -> None:
        fs, root = self._filesystem()
        exists = fs.exists(root)
        if exists and not fs.isdir(root):
            msg = f"Output path {self.path!r} is a file; writers write a directory of files. Pass a directory path."
            raise InputError(msg)
        if self.mode == "error" and exists and fs.ls(root):
            msg = (
                f"Output directory {self.path!r} already exists and is not empty (mode='error'). "
                "Pass mode='overwrite' to replace it, mode='ignore' to add files to it, or another path."
            )
            raise OutputExistsError(msg)
        if self.mode == "overwrite" and exists:
            logger.info("Removing output directory %s (mode='overwrite')", self.path)
            fs.rm(root, recursive=True)
        fs.makedirs(root, exist_ok=True)

    def process(self, task: DocumentBatch) -> FileGroupTask:
        fs, root = self._filesystem()
        file_name = f"{self._base_name(task)}.{self.get_file_extension()}"
        final_path = f"{root}/{file_name}"
        temp_path = f"{root}/.{file_name}.tmp-{uuid.uuid4().hex}"
        try:
            self.write_data(task, fs, temp_path)
            fs.mv(temp_path, final_path)
        except BaseException:
            with contextlib.suppress(Exception):
                if fs.exists(temp_path):
                    fs.rm(temp_path)
            raise
        protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
        written = final_path if "file" in protocols else fs.unstrip_protocol(final_path)
        logger.debug("Wrote %d records to %s", task.num_items, written)
        return FileGroupTask(
            dataset_name=task.dataset_name,
            data=[written],
            _metadata={**task._metadata, "format": self.get_file_extension()},
            _stage_perf=task._stage_perf,
        )

    def _base_name(self, task: DocumentBatch) -> str:
        source_files = task._metadata.get("source_files")
        if source_files:
            return deterministic_hash([str(f) for f in source_files], task.task_id)
        if task.task_id:
            return deterministic_hash([task.dataset_name], task.task_id)
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
