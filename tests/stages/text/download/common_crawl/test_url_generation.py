"""Snapshot ranges to WARC URLs, against a miniature crawl on a loopback server."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.text.download.common_crawl.url_generation import (
    CommonCrawlIndexError,
    MainCommonCrawlUrlGenerator,
    NewsCommonCrawlUrlGenerator,
)
from tests.stages.text.download.common_crawl.fake_crawl import SNAPSHOT, write_crawl
from tests.stages.text.download.http_server import LoopbackServer
from tests.stages.text.download.warc_files import Page


def _main(server: LoopbackServer, start: str, end: str, limit: int | None = None) -> MainCommonCrawlUrlGenerator:
    return MainCommonCrawlUrlGenerator(start, end, data_prefix=server.url, limit=limit, index_prefix=server.url)


def test_main_crawl_urls_of_the_snapshots_in_range(served: Path, server: LoopbackServer):
    paths = write_crawl(served, [Page("https://example.com/", b"<p>x</p>")] * 3, files=3)
    generator = _main(server, "2024-09", "2024-12")
    assert generator.generate_path_urls() == [f"{server.url}/crawl-data/{SNAPSHOT}/warc.paths.gz"]
    assert generator.generate_urls() == [f"{server.url}/{p}" for p in paths]
    assert _main(server, "2024-09", "2024-12", limit=2).generate_urls() == [f"{server.url}/{p}" for p in paths[:2]]
    assert len(_main(server, "2024-01", "2024-52").generate_path_urls()) == 2


def test_news_crawl_path_lists_month_by_month_newest_first():
    generator = NewsCommonCrawlUrlGenerator("2016-06", "2017-01", data_prefix="https://mirror.example")
    urls = generator.generate_path_urls()
    assert urls[0] == "https://mirror.example/crawl-data/CC-NEWS/2017/01/warc.paths.gz"
    assert urls[-1] == "https://mirror.example/crawl-data/CC-NEWS/2016/08/warc.paths.gz"  # CC-NEWS starts there
    assert len(urls) == 6


def test_a_path_list_that_cannot_be_had_is_an_error_naming_it(served: Path, server: LoopbackServer):
    (served / "broken.paths.gz").write_bytes(gzip.compress(b"ok\n")[:-8] + b"garbage!")
    generator = _main(server, "2024-10", "2024-10")
    with pytest.raises(BadInputError, match=r"/missing\.paths\.gz: cannot read the WARC path list \(HTTP 404"):
        generator.generate_data_urls(f"{server.url}/missing.paths.gz")
    with pytest.raises(BadInputError, match=r"broken\.paths\.gz: cannot read the WARC path list .*Fix: check"):
        generator.generate_data_urls(f"{server.url}/broken.paths.gz")


def test_an_unreachable_index_is_an_error(server: LoopbackServer):
    with pytest.raises(
        CommonCrawlIndexError, match=r"index from http://127.*/collinfo\.json: HTTP 404 .*Fix: check index_prefix"
    ):
        _main(server, "2024-10", "2024-10").generate_path_urls()


@pytest.mark.parametrize(
    ("cls", "start", "end", "message"),
    [
        (MainCommonCrawlUrlGenerator, "2024-x", "2024-10", "Invalid Main CC snapshot format. Use YYYY-WW"),
        (MainCommonCrawlUrlGenerator, "2024-54", "2024-60", "Week number must be between 1 and 53"),
        (MainCommonCrawlUrlGenerator, "2024-20", "2024-10", "Start snapshot '2024-20' is after end snapshot"),
        (NewsCommonCrawlUrlGenerator, "2024-13", "2024-12", "Invalid News CC snapshot format. Use YYYY-MM"),
    ],
)
def test_snapshot_strings_are_checked(cls: type, start: str, end: str, message: str):
    with pytest.raises(ConfigError, match=re.escape(message)):
        cls(start, end)
