"""``CommonCrawlWarcIterator``: the response records of a (gzip'd) WARC file, with fastwarc or warcio.

fastwarc (resiliparse's C++ reader) is used where it is installed, else warcio. A record whose
``WARC-Payload-Digest`` does not match its payload (altered, or cut short by a truncated file) is
yielded as a ``SkippedRecord``. A record the library cannot read at all (a corrupted gzip
member) is one too, and reading goes on at the next gzip member (or next ``WARC/`` header in an
uncompressed file), so one bad record does not cost the rest of the file.
``CommonCrawlWetIterator`` reads the ``conversion`` (extracted text) records of WET files.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO, Any, ClassVar, Literal

from fsspec.core import url_to_fs

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base import DocumentIterator
from curator_dask.stages.text.download.base.iterator import SkippedRecord

__all__ = ["CommonCrawlWarcIterator", "CommonCrawlWetIterator"]

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class _Raw:
    """One record as a backend read it: where it starts, its type, headers and payload."""

    offset: int
    rec_type: str
    url: str | None
    record_id: str | None
    payload: bytes
    digest_ok: bool


@cache
def _have_fastwarc() -> bool:
    try:
        import fastwarc.warc  # noqa: F401
    except ImportError:
        return False
    return True


def _fastwarc_records(fp: IO[bytes], base: int) -> Iterator[_Raw]:
    from fastwarc.warc import ArchiveIterator

    for rec in ArchiveIterator(fp, parse_http=True):
        headers = rec.headers
        # A record cut short inside its header block lacks the Content-Length every WARC record has.
        if headers.get("Content-Length") is None:
            digest_ok = False
        elif rec.is_http:  # the payload digest leaves out the HTTP headers parse_http has read
            digest_ok = headers.get("WARC-Payload-Digest") is None or rec.verify_payload_digest()
        else:
            digest_ok = headers.get("WARC-Block-Digest") is None or rec.verify_block_digest()
        payload = rec.reader.read()
        kind = headers.get("WARC-Type") or ""
        yield _Raw(base + rec.stream_pos, kind, headers.get("WARC-Target-URI"), rec.record_id, payload, digest_ok)


def _warcio_records(fp: IO[bytes], base: int) -> Iterator[_Raw]:
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(fp, arc2warc=True)
    for rec in iterator:
        headers = rec.rec_headers
        payload = rec.content_stream().read() if rec.rec_type in ("response", "conversion") else b""
        expected = headers.get_header("WARC-Payload-Digest")
        digest_ok = expected is None or rec.rec_type != "response" or _sha1_matches(expected, payload, rec)
        offset = base + iterator.get_record_offset()
        yield _Raw(offset, rec.rec_type, headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Record-ID"),
                   payload, digest_ok)  # fmt: skip


def _sha1_matches(expected: str, payload: bytes, rec: Any) -> bool:
    # The digest covers the payload as stored; content_stream() undoes a Content-Encoding first.
    if rec.http_headers is not None and rec.http_headers.get_header("Content-Encoding"):
        return True
    algorithm, _, value = expected.partition(":")
    if algorithm.lower() != "sha1":
        return True
    return base64.b32encode(hashlib.sha1(payload).digest()).decode() == value.upper()


def _next_member(fp: IO[bytes], start: int, magic: bytes) -> int | None:
    """The offset of the first record start (``magic``) at or after ``start``, or ``None``."""
    while (found := _find(fp, start, magic)) is not None:
        if magic != _GZIP_MAGIC or _opens_warc_record(fp, found):
            return found
        start = found + 1  # three bytes inside compressed data that only look like a gzip header
    return None


def _find(fp: IO[bytes], start: int, magic: bytes) -> int | None:
    fp.seek(start)
    carry = b""
    position = start
    while chunk := fp.read(_SCAN_CHUNK):
        window = carry + chunk
        found = window.find(magic)
        if found >= 0:
            return position - len(carry) + found
        carry = window[-(len(magic) - 1) :]
        position += len(chunk)
    return None


def _opens_warc_record(fp: IO[bytes], offset: int) -> bool:
    fp.seek(offset)
    data = fp.read(4096)
    try:
        head = zlib.decompressobj(wbits=31).decompress(data, 16)
    except zlib.error:
        return False
    if len(data) < 4096:  # the file ends within a few KiB: a record cut short may not have decoded a byte yet
        return b"WARC/".startswith(head[:5])
    return head.startswith(b"WARC/")


class CommonCrawlWarcIterator(DocumentIterator):
    """Yields ``{"url", "warc_id", "source_id", "content"}`` for each response record of a WARC file.

    Args:
        storage_options: fsspec options for the file's filesystem (credentials, endpoint).
        backend: ``"auto"`` (fastwarc if installed, else warcio), ``"fastwarc"`` or ``"warcio"``.
    """

    record_type: ClassVar[str] = "response"

    def __init__(
        self, storage_options: dict[str, Any] | None = None, backend: Literal["auto", "fastwarc", "warcio"] = "auto"
    ) -> None:
        if backend not in ("auto", "fastwarc", "warcio"):
            msg = f"backend must be 'auto', 'fastwarc' or 'warcio', got {backend!r}"
            raise ConfigError(msg)
        self.storage_options = storage_options or {}
        self.backend = backend

    def iterate(self, file_path: str) -> Iterator[dict[str, Any] | SkippedRecord]:  # type: ignore[override]
        path = os.fspath(file_path)
        filename = path.rsplit("/", 1)[-1]
        use_fastwarc = self.backend == "fastwarc" or (self.backend == "auto" and _have_fastwarc())
        read = _fastwarc_records if use_fastwarc else _warcio_records
        fs, fs_path = url_to_fs(path, **self.storage_options)
        with fs.open(fs_path, "rb") as fp:
            yield from self._records(fp, read, filename)

    def _records(self, fp: IO[bytes], read: Any, filename: str) -> Iterator[dict[str, Any] | SkippedRecord]:
        magic = _GZIP_MAGIC if fp.read(2) == _GZIP_MAGIC[:2] else _WARC_MAGIC
        start: int | None = 0
        while start is not None:
            last = start - 1
            fp.seek(start)
            try:
                for raw in read(fp, start):
                    last = raw.offset
                    if raw.rec_type == self.record_type:
                        yield self._record(raw, filename)
            except Exception as error:  # a broken record: count it, go on at the next one
                bad = _find(fp, last + 1, magic)  # the member that broke need not decompress at all
                where = bad if bad is not None else last
                yield SkippedRecord(f"unreadable WARC record at byte {where}: {str(error)[:200]}")
                start = None if bad is None else _next_member(fp, bad + 1, magic)
                continue
            # warcio ends quietly at a record cut short; a record start it did not reach says so.
            tail = _next_member(fp, last + 1, magic)
            if tail is not None:
                yield SkippedRecord(f"WARC record at byte {tail} is cut short (the file ends inside it)")
            return

    def _record(self, raw: _Raw, filename: str) -> dict[str, Any] | SkippedRecord:
        if not raw.digest_ok:
            return SkippedRecord(f"WARC record at byte {raw.offset} ({raw.url}): cut short, or its payload does not "
                                 "match its WARC-Payload-Digest")  # fmt: skip
        record_id = raw.record_id or ""
        # WARC-Record-ID is "<urn:uuid:...>"; NeMo Curator keeps the uuid alone.
        warc_id = record_id[10:-1] if record_id.startswith("<urn:uuid:") else record_id.strip("<>")
        return {"url": raw.url, "warc_id": warc_id, "source_id": filename, "content": raw.payload}

    def output_columns(self) -> list[str]:
        return ["url", "warc_id", "source_id", "content"]


class CommonCrawlWetIterator(CommonCrawlWarcIterator):
    """The ``conversion`` records of a WET file: the text Common Crawl extracted, in ``content`` (bytes)."""

    record_type: ClassVar[str] = "conversion"
