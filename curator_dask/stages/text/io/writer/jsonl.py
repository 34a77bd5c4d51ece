"""``JsonlWriter``: one JSON Lines file per ``DocumentBatch``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import fsspec

from curator_dask.stages.text.io.writer.base import BaseWriter
from curator_dask.tasks import DocumentBatch

__all__ = ["JsonlWriter"]


@dataclass
class JsonlWriter(BaseWriter):
    """Writes each batch to ``<path>/<12 hex>.jsonl`` with ``pandas.DataFrame.to_json``.

    ``write_kwargs`` go to ``to_json`` on top of ``lines=True, orient="records",
    force_ascii=False`` (``storage_options`` go to fsspec). An empty batch writes a file holding
    one blank line, as pandas (and so NeMo Curator) does: one file per task, always.
    """

    file_extension: str = "jsonl"
    write_kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = "jsonl_writer"

    def write_data(self, task: DocumentBatch, fs: fsspec.AbstractFileSystem, fs_path: str) -> None:
        kwargs = {"lines": True, "orient": "records", "force_ascii": False}
        kwargs.update({k: v for k, v in self.write_kwargs.items() if k != "storage_options"})
        with fs.open(fs_path, "wb") as handle:
            self._frame(task).to_json(handle, **kwargs)
