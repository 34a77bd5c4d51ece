"""``ParquetReader``: read Parquet files into ``DocumentBatch``es.

Before reading, the footers of a group's files are compared: files whose columns differ, or
whose column types cannot be unified (``int32`` with ``int64`` can; ``int64`` with ``string``
cannot; see ``_checks``), are bad input, named together with the first file of the group.
Types are compared as the reader hands them on: a dictionary (pandas ``category``) column as
its values, a binary column as text. A file whose footer or data cannot be read is bad input,
and so is one lacking any of the reader's ``fields``: ``MissingFieldsError``, which is also a
``pyarrow.ArrowInvalid``, the error NeMo Curator's reader lets pyarrow raise there.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from curator_dask.errors import BadInputError, ConfigTypeError, MissingFieldsError
from curator_dask.stages.text.io.reader._checks import decoded_type, reported, type_clash, unified_type
from curator_dask.stages.text.io.reader.base import (
    SKIP_HINT,
    BaseReader,
    BaseReaderComposite,
    SkipLog,
)

__all__ = ["ParquetReader", "ParquetReaderStage"]

# Options that choose how the reader works; the others go to pyarrow.parquet.ParquetFile.read.
_OWN_OPTIONS = ("storage_options", "dtype_backend", "engine", "columns")
_REWRITE = f"rewrite or remove the file, {SKIP_HINT}"
# ParquetFile.read's options; any other (filters, ...) needs pyarrow.parquet.read_table.
_FILE_OPTIONS = {"use_threads", "use_pandas_metadata"}
_TABLE_OPTIONS = set(inspect.signature(pq.read_table).parameters) - {"source", "columns", "filesystem"}


@dataclass
class ParquetReaderStage(BaseReader):
    """Reads the Parquet files of a ``FileGroupTask`` into one ``DocumentBatch``.

    Columns get pyarrow-backed pandas dtypes by default, as NeMo Curator's reader gives them
    (``read_kwargs={"dtype_backend": "numpy"}`` for plain numpy dtypes). Other ``read_kwargs`` are
    ``pyarrow.parquet.read_table``'s, which NeMo Curator's ``pandas.read_parquet`` hands them to
    (``filters``, ``use_threads``, ...); an unknown one is a ``ConfigTypeError`` (a ``TypeError``)
    when the stage is built.
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
        unknown = sorted(set(self.read_kwargs) - set(_OWN_OPTIONS) - _TABLE_OPTIONS)
        if unknown:
            msg = (
                f"ParquetReader got unknown read_kwargs {unknown}; it takes ['dtype_backend', 'engine', "
                f"'storage_options'] and pyarrow.parquet.read_table's options {sorted(_TABLE_OPTIONS)}. "
                "Fix the name(s)."
            )
            raise ConfigTypeError(msg)

    def readable_files(self, paths: list[str], options: dict[str, Any], log: SkipLog) -> list[str]:
        reference: tuple[str, pa.Schema] | None = None
        keep = []
        for path in paths:
            with reported(path, log):
                with _open_parquet(path, options) as parquet_file:
                    _check_fields(path, parquet_file.schema_arrow, self.fields)
                    schema = self._selected(parquet_file.schema_arrow)
                if reference is None:
                    reference = (path, schema)
                else:
                    _check_same_schema(reference, path, schema)
                keep.append(path)
        return keep

    def read_file(self, path: str, options: dict[str, Any], log: SkipLog) -> pa.Table:
        kwargs = {k: v for k, v in options.items() if k not in _OWN_OPTIONS}
        with _open_parquet(path, options) as parquet_file:
            schema = parquet_file.schema_arrow
            columns = None if self.fields is None else [f for f in self.fields if f in schema.names]
            if columns == []:  # fields=[]: no column to read, and the base class names the file
                return schema.empty_table()
            try:
                if set(kwargs) <= _FILE_OPTIONS:  # the open file reads itself: no second open
                    return parquet_file.read(columns=columns, **kwargs)
                fs, fs_path = url_to_fs(path, **options.get("storage_options", {}))
                with fs.open(fs_path, "rb") as handle:  # filters and the like: read_table's own
                    return pq.read_table(handle, columns=columns, **kwargs)
            except (pa.ArrowInvalid, OSError) as error:
                if isinstance(error, OSError) and error.errno is not None:
                    raise  # the OS's error, not the data's: the base class judges it
                raise BadInputError(path, f"its data cannot be read ({error})", fix=_REWRITE) from error

    def _selected(self, schema: pa.Schema) -> pa.Schema:
        names = schema.names if self.fields is None else [f for f in self.fields if f in schema.names]
        return pa.schema([(name, decoded_type(schema.field(name).type)) for name in names])


def _open_parquet(path: str, options: dict[str, Any]) -> pq.ParquetFile:
    fs, fs_path = url_to_fs(path, **options.get("storage_options", {}))
    try:
        return pq.ParquetFile(fs_path, filesystem=fs)
    except (pa.ArrowInvalid, OSError) as error:
        if isinstance(error, OSError) and error.errno is not None:
            raise  # gone, a link that loops, no permission: the OS's error, judged by the base class
        reason = "the file is empty (0 bytes)" if fs.size(fs_path) == 0 else f"not a readable Parquet file ({error})"
        raise BadInputError(path, reason, fix=_REWRITE) from error


def _check_fields(path: str, schema: pa.Schema, fields: list[str] | None) -> None:
    """A file must hold every requested field: NeMo Curator's reader fails there too (``ArrowInvalid``)."""
    missing = [f for f in fields or [] if f not in schema.names]
    if not missing:
        return
    if len(missing) == len(fields or []):
        reason = f"none of the requested fields {missing} is in the file (it has {schema.names})"
    else:
        reason = f"the requested fields {missing} are not in the file (it has {schema.names})"
    fix = f"correct the reader's fields=[...] (a Parquet file must hold every one of them), {SKIP_HINT}"
    raise MissingFieldsError(path, reason, fix=fix)


def _check_same_schema(reference: tuple[str, pa.Schema], path: str, schema: pa.Schema) -> None:
    first_path, first = reference
    only_first = [n for n in first.names if n not in schema.names]
    only_here = [n for n in schema.names if n not in first.names]
    clashes = []
    for name in set(first.names) & set(schema.names):
        a, b = first.field(name).type, schema.field(name).type
        if a != b and unified_type(a, b) is None:
            clashes.append(type_clash(name, b, first_path, a))
    if not (only_first or only_here or clashes):
        return
    differences = []
    if only_first:
        differences.append(f"columns only in {first_path}: {only_first}")
    if only_here:
        differences.append(f"columns only in {path}: {only_here}")
    differences.extend(sorted(clashes))
    reason = f"its schema differs from {first_path} ({'; '.join(differences)})"
    fix = f"cast or rewrite the files to one schema, or read only fields that agree with fields=[...], {SKIP_HINT}"
    raise BadInputError(path, reason, fix=fix)


@dataclass
class ParquetReader(BaseReaderComposite):
    """Reads Parquet files: ``FilePartitioningStage`` then ``ParquetReaderStage`` (see ``BaseReaderComposite``)."""

    reader_class = ParquetReaderStage
    file_type = "parquet"
    format_label = "Parquet"
