"""``JsonlReader``: read JSON Lines files (plain, ``.gz``, ``.zst``, ...) into ``DocumentBatch``es.

Files are parsed by ``pyarrow.json`` in one pass. Only when that fails does the reader go through
the file line by line, to name the bad line (or, with ``on_error="skip"``, to keep the good
ones); a file whose lines are all valid JSON but whose columns change type is read that way too.

Compressed files are decompressed by pyarrow (gzip, bz2, zstd; fsspec for the rest), which
raises where the data is corrupt or cut short; fsspec's zstd reader would just stop early and
lose the rest of the file without a word. A damaged file is a ``BadInputError``. Under
``on_error="skip"`` a file damaged after some lines keeps the N complete lines that decoded
(each checked like any other line) and gets one whole-file record, ``line`` ``None``, whose
reason says the data is cut short or corrupt after line N; it is counted in ``skipped_files``.
A file damaged before its first line is skipped whole, with one such record.
"""

from __future__ import annotations

import io
import json
import lzma
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import IO, Any

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.json as paj
from fsspec.utils import infer_compression

from curator_dask.errors import BadInputError
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
_ARROW_CODECS = ("gzip", "bz2", "zstd")
# What a decompressor raises on damaged data: pyarrow's OSError, or Python's codecs' own.
_DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError)
_DAMAGE_FIX = (
    "re-create or re-download the file (gzip -t / zstd -t FILE checks it), or pass "
    'on_error="skip" to the reader to keep the lines before the damage (the file is counted in '
    '_metadata["skipped"])'
)


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
        except (pa.ArrowInvalid, ValueError, UnicodeDecodeError, *_DAMAGED):
            # Neither parser says where the problem is; walk the lines to find out. (A path that
            # is gone or loops fails again there, and the base class names it.)
            return _read_line_by_line(path, options, log)


@contextmanager
def _open(path: str, options: dict[str, Any]) -> Iterator[IO[bytes]]:
    """The decompressed bytes of ``path``; reading raises where the data is damaged."""
    compression = _compression(path, options)
    storage_options = options.get("storage_options", {})
    with ExitStack() as stack:
        if compression in _ARROW_CODECS and pa.Codec.is_available(compression):
            raw = stack.enter_context(fsspec.open(path, "rb", **storage_options))
            yield stack.enter_context(io.BufferedReader(pa.CompressedInputStream(raw, compression)))
        else:
            yield stack.enter_context(fsspec.open(path, "rb", compression=compression, **storage_options))


def _compression(path: str, options: dict[str, Any]) -> str | None:
    compression = options.get("compression", "infer")
    return infer_compression(path) if compression == "infer" else compression


def _is_damage(error: BaseException, path: str, options: dict[str, Any]) -> bool:
    """Whether ``error``, raised while reading ``path``, says its compressed data is damaged.

    An OS error with an errno (EIO, a dropped connection) is the system's failure, not the file's.
    """
    if isinstance(error, OSError) and error.errno is not None:
        return False
    return _compression(path, options) is not None


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
    # _open decompresses (and notices damage); the base class applies dtype_backend afterwards.
    own = ("engine", "pyarrow_block_size", "pyarrow_max_block_size", "compression", "storage_options", "dtype_backend")
    kwargs = {k: v for k, v in options.items() if k not in own}
    with _open(path, options) as stream:
        return pd.read_json(stream, lines=True, **kwargs)


def _read_line_by_line(path: str, options: dict[str, Any], log: SkipLog) -> Part:
    records: list[dict[str, Any]] = []
    offset = line_number = 0
    with _open(path, options) as stream:
        try:
            for line_number, raw in enumerate(stream, start=1):
                start, offset = offset, offset + len(raw)
                if not raw.strip():
                    continue
                record = _parse_line(path, raw, line_number, start, log)
                if record is not None:
                    records.append(record)
        except _DAMAGED as error:
            if not _is_damage(error, path, options):
                raise
            # Only complete lines come out before the damage: a cut line is never parsed.
            where = f"after line {line_number}" if line_number else "before its first line"
            reason = f"the compressed data is cut short or corrupt {where} ({error})"
            if not records:
                raise BadInputError(path, reason, fix=f"re-create or re-download the file, {SKIP_HINT}") from error
            log.report(BadInputError(path, reason, fix=_DAMAGE_FIX))
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

    reader_class = JsonlReaderStage
    file_type = "jsonl"
    format_label = "JSONL"
