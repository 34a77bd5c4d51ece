"""WARC and WET files written with warcio from pages made in the test, and ways to damage them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

__all__ = ["Page", "corrupt_record", "truncate_inside_record", "write_warc", "write_wet"]


@dataclass(frozen=True)
class Page:
    """One crawled page: its URL, body bytes and the Content-Type the server sent."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"


def write_warc(path: Path, pages: list[Page], *, gzip: bool = True) -> list[int]:
    """Write a WARC file like Common Crawl's (request, response, metadata per page); the responses' offsets."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "curator_dask tests"}))
    offsets = []
    for page in pages:
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(page.url, "request", http_headers=request))
        offsets.append(buffer.tell())
        http = StatusAndHeaders("200 OK", [("Content-Type", page.content_type)], protocol="HTTP/1.1")
        response = writer.create_warc_record(page.url, "response", payload=io.BytesIO(page.body), http_headers=http)
        writer.write_record(response)
        metadata = writer.create_warc_record(page.url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"))
        writer.write_record(metadata)
    path.write_bytes(buffer.getvalue())
    return offsets


def write_wet(path: Path, texts: list[tuple[str, str]]) -> None:
    """Write a gzip'd WET file: one ``conversion`` record of plain text per ``(url, text)``."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "curator_dask tests"}))
    for url, text in texts:
        record = writer.create_warc_record(
            url, "conversion", payload=io.BytesIO(text.encode("utf-8")), warc_content_type="text/plain"
        )
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())


def corrupt_record(path: Path, offset: int) -> None:
    """Overwrite bytes in the middle of the gzip member at ``offset``, so it no longer decompresses."""
    data = bytearray(path.read_bytes())
    middle = offset + 60
    data[middle : middle + 24] = b"\x00" * 24
    path.write_bytes(bytes(data))


def truncate_inside_record(path: Path, offset: int) -> None:
    """Cut the file a little way into the record at ``offset`` (a download that stopped there)."""
    path.write_bytes(path.read_bytes()[: offset + 40])
