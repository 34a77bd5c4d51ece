"""What makes input bad beyond its format: unreadable paths, undecodable columns, clashing types.

Columns are handed on in types the string stages and writers can use. A dictionary column
(pandas ``category``, kept so by Parquet) becomes its value type; a ``binary`` / ``large_binary``
column becomes ``string`` / ``large_string`` when it holds UTF-8 text, and one that does not is
bad input naming the file, the column and the first bad row.

The files of a group become one batch, so each column needs one type across them. Types unify
where every value converts exactly: integers of any width, floats, integers with floats (as
float64, so only while every integer is within 2**53), null with anything, string with
large_string, timestamp units. Any other difference (int64 and string, bool and int, an integer
too large for float64) is bad input on the later file, naming both files, the column and both
types; ``on_error="skip"`` leaves that file out. A column whose values already mix types within
one JSONL file is kept as Python objects, as pandas reads it, and is not compared.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa

from curator_dask.errors import BadInputError

__all__ = [
    "SKIP_HINT",
    "Part",
    "SkipLog",
    "consistent_parts",
    "decode_columns",
    "decoded_type",
    "reported",
    "type_clash",
    "unified_type",
]

logger = logging.getLogger(__name__)

Part: TypeAlias = pa.Table | pd.DataFrame
SKIP_HINT = 'or pass on_error="skip" to the reader to leave it out (it is counted in _metadata["skipped"])'
TYPE_FIX = f"cast the column to one type in every file, or read only fields that agree with fields=[...], {SKIP_HINT}"


class SkipLog:
    """Raises a ``BadInputError`` or, under ``on_error="skip"``, records it and goes on."""

    def __init__(self, on_error: str) -> None:
        self.on_error = on_error
        self.records: list[dict[str, Any]] = []

    def report(self, error: BadInputError) -> None:
        if self.on_error == "raise":
            raise error
        logger.warning("skipped: %s", error)
        self.records.append(error.record)


@contextmanager
def reported(path: str, log: SkipLog) -> Iterator[None]:
    """Hands a bad file met in the block to ``log``; the rest of the block is then left out.

    A path that is gone or is a link that loops is bad input too; other OS errors (no
    permission, a network failure) are not the file's fault and propagate as they are.
    """
    try:
        yield
    except BadInputError as error:
        log.report(error)
    except OSError as error:
        if isinstance(error, FileNotFoundError):
            log.report(BadInputError(path, f"file not found ({error})", fix=f"restore the file, {SKIP_HINT}"))
        elif error.errno == errno.ELOOP:
            reason = "the path is a symbolic link that loops (it leads back to itself)"
            log.report(BadInputError(path, reason, fix=f"point the link at a real file or remove it, {SKIP_HINT}"))
        else:
            raise


def decoded_type(dtype: pa.DataType) -> pa.DataType:
    """The type a column of ``dtype`` is handed on as: dictionaries decoded, binary as text."""
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_binary(dtype):
        return pa.string()
    if pa.types.is_large_binary(dtype):
        return pa.large_string()
    return dtype


def decode_columns(path: str, table: pa.Table) -> pa.Table:
    """``table`` with dictionary and binary columns decoded (see the module docstring)."""
    for index, column_field in enumerate(table.schema):
        target = decoded_type(column_field.type)
        if target == column_field.type:
            continue
        try:
            column = table.column(index).cast(target)
        except pa.ArrowInvalid as error:  # binary that is not UTF-8
            row = _first_non_utf8_row(table.column(index))
            reason = f"column {column_field.name!r} is {column_field.type} holding bytes that are not UTF-8 text"
            fix = f"re-encode the column as UTF-8, or leave it out by naming the others in fields=[...], {SKIP_HINT}"
            raise BadInputError(path, reason, detail=f" (first at row {row}, counting from 1)", fix=fix) from error
        table = table.set_column(index, column_field.name, column)
    return table


def _first_non_utf8_row(column: pa.ChunkedArray) -> int:
    for row, value in enumerate(column.to_pylist(), start=1):
        try:
            if value is not None:
                value.decode("utf-8")
        except UnicodeDecodeError:
            return row
    return 0  # pragma: no cover - only called after a cast found one


def unified_type(a: pa.DataType, b: pa.DataType) -> pa.DataType | None:
    """The type pyarrow would widen ``a`` and ``b`` to, or ``None`` where there is none."""
    try:
        schema = pa.unify_schemas([pa.schema([("c", a)]), pa.schema([("c", b)])], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    return schema.field("c").type


def type_clash(column: str, here: pa.DataType, first_path: str, first: pa.DataType) -> str:
    """How a column's type differs from the group's first file that has it, for a message."""
    return f"column {column!r} is {here} here but {first} in {first_path}"


def consistent_parts(named: list[tuple[str, Part]], log: SkipLog) -> list[Part]:
    """The parts whose column types agree with the files before them (see the module docstring)."""
    seen: dict[str, list[tuple[pa.DataType, str, Part]]] = {}  # column -> each distinct type, where first
    kept = []
    for path, part in named:
        types = _column_types(part)
        with reported(path, log):
            for name, dtype in types.items():
                for first, first_path, first_part in seen.get(name, []):
                    if dtype != first and not _converts(name, dtype, part, first, first_part):
                        reason = type_clash(name, dtype, first_path, first)
                        raise BadInputError(path, reason, detail=_why(dtype, first), fix=TYPE_FIX)
            for name, dtype in types.items():
                if all(dtype != known for known, _, _ in seen.get(name, [])):
                    seen.setdefault(name, []).append((dtype, path, part))
            kept.append(part)
    return kept


def _column_types(part: Part) -> dict[str, pa.DataType]:
    if isinstance(part, pa.Table):
        return {f.name: f.type for f in part.schema}
    types = {}
    for name in part.columns:
        try:
            types[str(name)] = pa.array(part[name], from_pandas=True).type
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue  # mixed within the file: it stays objects and is not compared
    return types


def _converts(name: str, a: pa.DataType, part: Part, b: pa.DataType, other: Part) -> bool:
    """Whether both columns convert exactly to the type that unifies them."""
    target = unified_type(a, b)
    if target is None:
        return False
    for table in (part, other):
        column = table.column(name) if isinstance(table, pa.Table) else pa.array(table[name], from_pandas=True)
        try:
            column.cast(target)  # a safe cast: it refuses to change a value
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return False
    return True


def _why(a: pa.DataType, b: pa.DataType) -> str:
    target = unified_type(a, b)
    if target is None:
        return " (the two do not unify into one type)"
    return f" (they unify to {target}, but not every value converts to it exactly)"
