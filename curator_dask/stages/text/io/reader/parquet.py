"""``ParquetReader``: read Parquet files into ``DocumentBatch``es.

Before reading, the footers of a group's files are compared: files whose columns differ, or
whose column types cannot be unified (``int32`` with ``int64`` can; ``int64`` with ``string``
cannot), are bad input, named together with the first file of the group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from curator_dask.errors import BadInputError
from curator_dask.stages.file_partitioning import FILETYPE_TO_DEFAULT_EXTENSIONS
from curator_dask.stages.text.io.reader.base import (
    SKIP_HINT,
    BaseReader,
    BaseReaderComposite,
    SkipLog,
)

__all__ = ["ParquetReader", "ParquetReaderStage"]

# Options that choose how the reader works; the others go to pyarrow.parquet.ParquetFile.read.
_OWN_OPTIONS = ("storage_options", "dtype_backend", "engine", "columns")


@dataclass
class ParquetReaderStage(BaseReader):
    """Reads the Parquet files of a ``FileGroupTask`` into one ``DocumentBatch``.

    Columns get pyarrow-backed pandas dtypes by default, as NeMo Curator's reader gives them
    (``read_kwargs={"dtype_backend": "numpy"}`` for plain numpy dtypes). Other ``read_kwargs``
    (``use_threads``, ``use_pandas_metadata``, ...) go to ``pyarrow.parquet.ParquetFile.read``.
    """

    name: str = "parquet_reader"

    default_dtype_backend = "pyarrow"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.read_kwargs.get("engine", "pyarrow") != "pyarrow":
            msg = f"ParquetReader reads with pyarrow only; got engine={self.read_kwargs['engine']!r}"
            raise ValueError(msg)
        if "columns" in self.read_kwargs:
            msg = "Pass the columns to read as the reader's fields=[...], not as read_kwargs['columns']"
            raise ValueError(msg)

    def readable_files(self, paths: list[str], options: dict[str, Any], log: SkipLog) -> list[str]:
        reference: tuple[str, pa.Schema] | None = None
        keep = []
        for path in paths:
            try:
                with _open_parquet(path, options) as parquet_file:
                    schema = self._selected(parquet_file.schema_arrow)
                if reference is None:
                    reference = (path, schema)
                else:
                    _check_same_schema(reference, path, schema)
            except BadInputError as error:
                log.report(error)
                continue
            keep.append(path)
        return keep

    def read_file(self, path: str, options: dict[str, Any], log: SkipLog) -> pa.Table:
        kwargs = {k: v for k, v in options.items() if k not in _OWN_OPTIONS}
        with _open_parquet(path, options) as parquet_file:
            schema = parquet_file.schema_arrow
            if self.fields is None:
                return parquet_file.read(**kwargs)
            columns = [f for f in self.fields if f in schema.names]
            # With none of the fields present, read no rows: the base class names the file.
            return parquet_file.read(columns=columns, **kwargs) if columns else schema.empty_table()

    def _selected(self, schema: pa.Schema) -> pa.Schema:
        if self.fields is None:
            return schema
        return pa.schema([schema.field(f) for f in self.fields if f in schema.names])


def _open_parquet(path: str, options: dict[str, Any]) -> pq.ParquetFile:
    fs, fs_path = url_to_fs(path, **options.get("storage_options", {}))
    try:
        return pq.ParquetFile(fs_path, filesystem=fs)
    except FileNotFoundError:
        raise
    except (pa.ArrowInvalid, OSError) as error:
        reason = "the file is empty (0 bytes)" if fs.size(fs_path) == 0 else f"not a readable Parquet file ({error})"
        raise BadInputError(path, reason, fix=f"rewrite or remove the file, {SKIP_HINT}") from error


def _check_same_schema(reference: tuple[str, pa.Schema], path: str, schema: pa.Schema) -> None:
    first_path, first = reference
    only_first = [n for n in first.names if n not in schema.names]
    only_here = [n for n in schema.names if n not in first.names]
    clashes = []
    for name in set(first.names) & set(schema.names):
        a, b = first.field(name).type, schema.field(name).type
        if a != b and not _unifiable(a, b):
            clashes.append(f"{name}: {a} in {first_path} vs {b}")
    if not (only_first or only_here or clashes):
        return
    differences = []
    if only_first:
        differences.append(f"columns only in {first_path}: {only_first}")
    if only_here:
        differences.append(f"columns only in {path}: {only_here}")
    differences.extend(sorted(clashes))
    reason = f"its schema differs from {first_path} ({'; '.join(differences)})"
    fix = f"rewrite the files with one schema, read only shared columns with fields=[...], {SKIP_HINT}"
    raise BadInputError(path, reason, fix=fix)


def _unifiable(a: pa.DataType, b: pa.DataType) -> bool:
    try:
        pa.unify_schemas([pa.schema([("c", a)]), pa.schema([("c", b)])], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


@dataclass
class ParquetReader(BaseReaderComposite):
    """Reads Parquet files: ``FilePartitioningStage`` then ``ParquetReaderStage`` (see ``BaseReaderComposite``)."""

    file_extensions: list[str] | None = field(default_factory=lambda: list(FILETYPE_TO_DEFAULT_EXTENSIONS["parquet"]))
    name: str = "parquet_reader"

    reader_class = ParquetReaderStage
    format_label = "Parquet"
