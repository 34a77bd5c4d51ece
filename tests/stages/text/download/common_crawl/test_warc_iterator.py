"""The WARC/WET iterator on files written by warcio: response records only, damage skipped and counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base.iterator import SkippedRecord
from curator_dask.stages.text.download.common_crawl.warc_iterator import CommonCrawlWarcIterator, CommonCrawlWetIterator
from tests.stages.text.download.warc_files import Page, corrupt_record, truncate_inside_record, write_warc, write_wet

BACKENDS = ["fastwarc", "warcio"]
PAGES = [
    Page(f"https://example.com/{i}", f"<html><body><p>page {i} ".encode() + b"x" * 3000 + b"</p>") for i in range(4)
]


def _read(path: Path, backend: str) -> list[Any]:
    return list(CommonCrawlWarcIterator(backend=backend).iterate(str(path)))  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("compressed", [True, False])
def test_response_records_only_with_the_warc_id_and_payload(tmp_path: Path, backend: str, compressed: bool):
    path = tmp_path / ("a.warc.gz" if compressed else "a.warc")
    write_warc(path, PAGES, gzip=compressed)
    records = _read(path, backend)
    assert [r["url"] for r in records] == [p.url for p in PAGES]  # no warcinfo, request or metadata record
    assert [r["content"] for r in records] == [p.body for p in PAGES]
    assert {r["source_id"] for r in records} == {path.name}
    assert all(len(r["warc_id"]) == 36 and not r["warc_id"].startswith("<") for r in records)  # a bare uuid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_corrupted_record_is_skipped_and_reading_goes_on(tmp_path: Path, backend: str):
    path = tmp_path / "a.warc.gz"
    offsets = write_warc(path, PAGES)
    corrupt_record(path, offsets[1])
    records = _read(path, backend)
    assert [r["url"] for r in records if isinstance(r, dict)] == [PAGES[0].url, PAGES[2].url, PAGES[3].url]
    (skip,) = [r for r in records if isinstance(r, SkippedRecord)]
    assert skip.reason.startswith(f"unreadable WARC record at byte {offsets[1]}: ")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_cut_inside_a_record_keeps_the_records_before(tmp_path: Path, backend: str):
    path = tmp_path / "a.warc.gz"
    offsets = write_warc(path, PAGES)
    truncate_inside_record(path, offsets[3])
    records = _read(path, backend)
    assert [r["url"] for r in records if isinstance(r, dict)] == [p.url for p in PAGES[:3]]
    (skip,) = [r for r in records if isinstance(r, SkippedRecord)]
    assert f"at byte {offsets[3]}" in skip.reason and "cut short" in skip.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_payload_that_does_not_match_its_digest_is_skipped(tmp_path: Path, backend: str):
    path = tmp_path / "a.warc"
    write_warc(path, PAGES[:2], gzip=False)
    data = path.read_bytes()
    at = data.index(b"page 1 ")
    path.write_bytes(data[:at] + b"PAGE 1 " + data[at + 7 :])  # same length, different bytes
    records = _read(path, backend)
    assert [r["url"] for r in records if isinstance(r, dict)] == [PAGES[0].url]
    (skip,) = [r for r in records if isinstance(r, SkippedRecord)]
    assert skip.reason.endswith("does not match its WARC-Payload-Digest")


@pytest.mark.parametrize("backend", BACKENDS)
def test_wet_files_give_their_conversion_records(tmp_path: Path, backend: str):
    path = tmp_path / "a.warc.wet.gz"
    write_wet(path, [("https://example.com/a", "Plain text one."), ("https://example.com/b", "Zwei.")])
    records = list(CommonCrawlWetIterator(backend=backend).iterate(str(path)))  # type: ignore[arg-type]
    assert [(r["url"], r["content"]) for r in records] == [
        ("https://example.com/a", b"Plain text one."),
        ("https://example.com/b", b"Zwei."),
    ]


def test_the_backend_is_checked():
    with pytest.raises(ConfigError, match="backend must be 'auto', 'fastwarc' or 'warcio', got 'pywarc'"):
        CommonCrawlWarcIterator(backend="pywarc")  # type: ignore[arg-type]


def test_wet_records_become_documents_with_their_language(tmp_path: Path):
    from curator_dask.stages.text.download.common_crawl.extract import CommonCrawlWETExtractor

    path = tmp_path / "a.warc.wet.gz"
    german = "Der Fluss ist seit jeher das Herz der Stadt, und er ist immer noch das Erste, was die Besucher sehen."
    write_wet(path, [("https://example.de/a", german), ("https://example.com/empty", "  \n")])
    extractor = CommonCrawlWETExtractor()
    documents = [extractor.extract(r) for r in CommonCrawlWetIterator().iterate(str(path))]  # type: ignore[arg-type]
    assert documents[1] is None  # no text: no document
    assert documents[0] is not None and (documents[0]["language"], documents[0]["text"]) == ("GERMAN", german)
    assert extractor.output_columns() == ["url", "warc_id", "source_id", "language", "text"]
