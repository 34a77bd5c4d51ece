"""``ParquetWriter``: one Parquet file per ``DocumentBatch``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from curator_dask.stages.text.io.writer.base import BaseWriter
from curator_dask.tasks import DocumentBatch

__all__ = ["ParquetWriter"]

# Options of pandas.DataFrame.to_parquet that a single atomically written file cannot honour.
_UNSUPPORTED = ("partition_cols",)


@dataclass
class ParquetWriter(BaseWriter):
    """Writes each batch to ``<path>/<12 hex>.parquet`` with ``pyarrow.parquet.write_table``.

    ``write_kwargs`` go to ``write_table`` (``compression``, ``row_group_size``, ...);
    ``index`` is pandas' (``None`` by default: a range index is kept as metadata only) and
    ``engine`` may only be ``"pyarrow"``. ``partition_cols`` is not supported: it writes a
    directory tree, which cannot be moved into place atomically. An empty batch writes a file
    with its schema and no rows.
    """

    write_kwargs: dict[str, Any] = field(default_factory=dict)
    file_extension: str = "parquet"
    name: str = "parquet_writer"

    def __post_init__(self) -> None:
        super().__post_init__()
        bad = [k for k in _UNSUPPORTED if k in self.write_kwargs]
        if bad or self.write_kwargs.get("engine", "pyarrow") != "pyarrow":
            msg = f"ParquetWriter writes one file per batch with pyarrow; remove {bad or ['engine']} from write_kwargs"
            raise ValueError(msg)

    def write_data(self, task: DocumentBatch, fs: fsspec.AbstractFileSystem, fs_path: str) -> None:
        kwargs = {k: v for k, v in self.write_kwargs.items() if k not in ("storage_options", "engine", "index")}
        index = self.write_kwargs.get("index")
        if isinstance(task.data, pa.Table) and not index and set(self.fields or []) <= set(task.data.column_names):
            table = task.data if self.fields is None else task.data.select(self._checked_fields(task))
        else:
            table = pa.Table.from_pandas(self._frame(task), preserve_index=index)
        pq.write_table(table, fs_path, filesystem=fs, **kwargs)
