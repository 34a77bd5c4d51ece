"""``JsonlReader``: read JSON Lines files (plain, ``.gz``, ``.zst``, ...) into ``DocumentBatch``es.

Files are parsed by ``pyarrow.json`` in one pass. Only when that fails does the reader go through
the file line by line, to name the bad line (or, with ``on_error="skip"``, to keep the good
ones); a file whose lines are all valid JSON but whose columns change type is read that way too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.json as paj

from curator_dask.errors import BadInputError
from curator_dask.stages.file_partitioning import FILETYPE_TO_DEFAULT_EXTENSIONS
from curator_dask.stages.text.io.reader.base import (
    SKIP_HINT,
    BaseReader,
    BaseReaderComposite,
    Part,
    SkipLog,
)

__all__ = ["JsonlReader", "JsonlReaderStage"]

_ARROW_ENGINES = ("pyarrow_direct", "pyarrow")
_ARROW_OPTIONS = {
    "engine",
    "lines",
    "storage_options",
    "compression",
    "dtype_backend",
    "pyarrow_block_size",
    "pyarrow_max_block_size",
}
# 8 MiB blocks hold most records; a record larger than a block is retried with doubled blocks.
_BLOCK_SIZE = 8 * 1024 * 1024
_MAX_BLOCK_SIZE = 256 * 1024 * 1024
_SHOWN_CHARS = 80


def _check_read_kwargs(read_kwargs: dict[str, Any]) -> None:
    if read_kwargs.get("lines", True) is not True:
        msg = "JsonlReader only supports lines=True (one JSON object per line)"
        raise ValueError(msg)
    if read_kwargs.get("engine", "pyarrow_direct") in _ARROW_ENGINES:
        unsupported = sorted(set(read_kwargs) - _ARROW_OPTIONS)
        if unsupported:
            msg = (
                f"Unsupported read_kwargs for the pyarrow JSONL engine: {unsupported}; it takes "
                f"{sorted(_ARROW_OPTIONS)}. Pass engine='pandas' to hand other options to pandas.read_json."
            )
            raise TypeError(msg)


@dataclass
class JsonlReaderStage(BaseReader):
    """Reads the JSONL files of a ``FileGroupTask`` into one ``DocumentBatch``.

    ``read_kwargs``: ``compression`` (default ``"infer"`` from the name), ``storage_options``,
    ``dtype_backend``, ``pyarrow_block_size`` / ``pyarrow_max_block_size``; with
    ``engine="pandas"`` the rest go to ``pandas.read_json``. ``engine="pyarrow"`` means the
    same direct pyarrow reader as the default ``"pyarrow_direct"``.
    """

    name: str = "jsonl_reader"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_read_kwargs(self.read_kwargs)

    def read_file(self, path: str, options: dict[str, Any], log: SkipLog) -> Part:
        try:
            if options.get("engine", "pyarrow_direct") in _ARROW_ENGINES:
                return _read_with_arrow(path, options)
            return _read_with_pandas(path, options)
        except (pa.ArrowInvalid, ValueError, UnicodeDecodeError):
            # Neither parser says where the problem is; walk the lines to find out.
            return _read_line_by_line(path, options, log)


def _open(path: str, options: dict[str, Any]) -> Any:
    return fsspec.open(
        path, "rb", compression=options.get("compression", "infer"), **options.get("storage_options", {})
    )


def _read_with_arrow(path: str, options: dict[str, Any]) -> pa.Table:
    block_size = options.get("pyarrow_block_size", _BLOCK_SIZE)
    max_block_size = options.get("pyarrow_max_block_size", _MAX_BLOCK_SIZE)
    # pyarrow opens local files itself, decompressing by extension, which is faster than fsspec.
    direct = "://" not in path and not options.get("storage_options") and options.get("compression", "infer") == "infer"
    while True:
        read_options = paj.ReadOptions(block_size=block_size, use_threads=False)
        try:
            if direct:
                table = paj.read_json(path, read_options=read_options)
            else:
                with _open(path, options) as stream:
                    table = paj.read_json(stream, read_options=read_options)
        except pa.ArrowInvalid as error:
            if "straddling object" not in str(error) or block_size >= max_block_size:
                raise
            block_size = min(block_size * 2, max_block_size)
            continue
        table.validate(full=True)  # pyarrow.json does not check UTF-8; a full validation does
        return table


def _read_with_pandas(path: str, options: dict[str, Any]) -> pd.DataFrame:
    kwargs = {k: v for k, v in options.items() if k not in ("engine", "pyarrow_block_size", "pyarrow_max_block_size")}
    kwargs["lines"] = True
    return pd.read_json(path, **kwargs)


def _read_line_by_line(path: str, options: dict[str, Any], log: SkipLog) -> Part:
    records: list[dict[str, Any]] = []
    offset = 0
    with _open(path, options) as stream:
        for line_number, raw in enumerate(stream, start=1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            record = _parse_line(path, raw, line_number, start, log)
            if record is not None:
                records.append(record)
    if not records:
        return pa.table({})
    try:
        return pa.Table.from_pylist(records)  # the same column types the fast path would give
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.DataFrame.from_records(records)  # a column of mixed types stays as objects


def _parse_line(path: str, raw: bytes, line_number: int, start: int, log: SkipLog) -> dict[str, Any] | None:
    fix = f"correct or remove line {line_number}, {SKIP_HINT}"
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        detail = f" at byte offset {start + error.start} of the file; the line starts {raw[:_SHOWN_CHARS]!r}"
        log.report(BadInputError(path, "invalid UTF-8", line=line_number, detail=detail, fix=fix))
        return None
    shown = f"; the line starts {text[:_SHOWN_CHARS]!r}"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"malformed JSON ({error.msg}, column {error.colno})"
        log.report(BadInputError(path, reason, line=line_number, detail=shown, fix=fix))
        return None
    if not isinstance(record, dict):
        reason = f"a JSON {type(record).__name__}, not an object"
        log.report(BadInputError(path, reason, line=line_number, detail=shown, fix=fix))
        return None
    return record


@dataclass
class JsonlReader(BaseReaderComposite):
    """Reads JSONL files: ``FilePartitioningStage`` then ``JsonlReaderStage`` (see ``BaseReaderComposite``)."""

    file_extensions: list[str] | None = field(default_factory=lambda: list(FILETYPE_TO_DEFAULT_EXTENSIONS["jsonl"]))
    name: str = "jsonl_reader"

    reader_class = JsonlReaderStage
    format_label = "JSONL"
