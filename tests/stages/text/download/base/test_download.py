"""Downloads over a loopback HTTP server: resumption, retries, dropped connections, 404s, reports."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.text.download.arxiv.download import ArxivDownloader
from curator_dask.stages.text.download.base import DocumentDownloader, DocumentDownloadStage
from curator_dask.stages.text.download.base.download import FetchingDownloader
from curator_dask.stages.text.download.base.fetch import fetch_bytes, fetch_to_path
from curator_dask.stages.text.download.common_crawl.download import CommonCrawlWARCDownloader
from curator_dask.stages.text.download.wikipedia.download import WikipediaDownloader
from curator_dask.tasks import FileGroupTask
from tests.stages.text.download.http_server import LoopbackServer


class FlatDownloader(DocumentDownloader):
    """Names each file after the URL's last path segment; fetches with the shared HTTP client."""

    def _get_output_filename(self, url: str) -> str:
        return url.rsplit("/", 1)[-1]

    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        return fetch_to_path(url, path, timeout_s=10)


def _payload(served: Path, name: str = "a.warc.gz", size: int = 200_000) -> bytes:
    body = os.urandom(size)
    (served / name).write_bytes(body)
    return body


def test_download_writes_the_file_and_a_rerun_fetches_nothing(served: Path, server: LoopbackServer, tmp_path: Path):
    body = _payload(served)
    downloader = FlatDownloader(str(tmp_path / "dl"), max_retries=0)
    path = downloader.download(f"{server.url}/a.warc.gz")
    assert path == str(tmp_path / "dl" / "a.warc.gz")
    assert Path(path).read_bytes() == body
    assert downloader.download(f"{server.url}/a.warc.gz") == path
    assert server.requests["/a.warc.gz"] == 1  # complete on disk: not asked for again
    assert sorted(os.listdir(tmp_path / "dl")) == ["a.warc.gz"]  # no temporary file left


def test_a_partial_file_is_fetched_again_from_the_start(served: Path, server: LoopbackServer, tmp_path: Path):
    body = _payload(served)
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "a.warc.gz.tmp").write_bytes(body[:1000])  # left by a killed worker
    path = FlatDownloader(str(tmp_path / "dl")).download(f"{server.url}/a.warc.gz")
    assert path is not None and Path(path).read_bytes() == body
    assert not (tmp_path / "dl" / "a.warc.gz.tmp").exists()


def test_a_dropped_connection_is_a_failure_not_a_file(served: Path, server: LoopbackServer, tmp_path: Path):
    _payload(served)
    downloader = FlatDownloader(str(tmp_path / "dl"), max_retries=2, retry_backoff_s=0.01)
    outcome = downloader.download_with_outcome(f"{server.url}/drop/a.warc.gz")
    assert outcome.path is None and outcome.attempts == 3
    assert (outcome.error or "").startswith("connection closed after 100000 of 200000 bytes of http://127.0.0.1")
    assert os.listdir(tmp_path / "dl") == ["a.warc.gz.tmp"]  # never under the final name


def test_server_errors_are_retried_with_backoff(served: Path, server: LoopbackServer, tmp_path: Path):
    body = _payload(served)
    downloader = FlatDownloader(str(tmp_path / "dl"), max_retries=2, retry_backoff_s=0.01)
    outcome = downloader.download_with_outcome(f"{server.url}/flaky/2/a.warc.gz")
    assert outcome.attempts == 3 and outcome.path is not None and Path(outcome.path).read_bytes() == body


def test_a_404_is_not_retried(served: Path, server: LoopbackServer, tmp_path: Path):
    downloader = FlatDownloader(str(tmp_path / "dl"), max_retries=5, retry_backoff_s=10)
    outcome = downloader.download_with_outcome(f"{server.url}/missing.warc.gz")
    assert (outcome.path, outcome.attempts) == (None, 1)
    assert outcome.error == f"HTTP 404 no such file for {server.url}/missing.warc.gz"


def test_the_stage_raises_naming_the_url_by_default(served: Path, server: LoopbackServer, tmp_path: Path):
    stage = DocumentDownloadStage(FlatDownloader(str(tmp_path / "dl"), max_retries=0))
    url = f"{server.url}/missing.warc.gz"
    with pytest.raises(BadInputError, match=r"missing\.warc\.gz: download failed after 1 tries: HTTP 404 .*Fix: .*"
                       r"download_on_error='skip'"):  # fmt: skip
        stage.process(FileGroupTask(dataset_name="d", data=[url]))


def test_the_stage_reports_failed_urls_and_goes_on_when_asked(served: Path, server: LoopbackServer, tmp_path: Path):
    _payload(served)
    _payload(served, "b.warc.gz")
    stage = DocumentDownloadStage(FlatDownloader(str(tmp_path / "dl"), max_retries=0), on_error="skip")
    good, bad = f"{server.url}/a.warc.gz", f"{server.url}/drop/b.warc.gz"
    out = stage.process(FileGroupTask(dataset_name="d", data=[good, bad]))
    assert out.data == [str(tmp_path / "dl" / "a.warc.gz")]
    (failure,) = out._metadata["download_failures"]
    assert failure["url"] == bad and failure["attempts"] == 1
    assert stage._consume_custom_metrics() == {"downloaded_files": 1.0, "failed_downloads": 1.0}
    assert stage.name == "download_flatdownloader"


def test_settings_are_checked(tmp_path: Path):
    with pytest.raises(ConfigError, match="max_retries must be a non-negative int, got -1"):
        FlatDownloader(str(tmp_path), max_retries=-1)
    with pytest.raises(ConfigError, match="on_error must be 'raise' or 'skip', got 'ignore'"):
        DocumentDownloadStage(FlatDownloader(str(tmp_path)), on_error="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [CommonCrawlWARCDownloader, WikipediaDownloader, ArxivDownloader])
def test_the_downloaders_share_one_fetching_base_and_refuse_unknown_options(cls: type, tmp_path: Path):
    downloader = cls(str(tmp_path), max_retries=1, timeout_s=5.0, storage_options={"anon": True})
    assert isinstance(downloader, FetchingDownloader) and downloader.num_workers_per_node() == 2
    assert (downloader._max_retries, downloader.timeout_s, downloader.storage_options) == (1, 5.0, {"anon": True})
    assert (cls(str(tmp_path)).timeout_s, cls(str(tmp_path))._max_retries) == (60.0, 3)
    takes = "it takes max_retries, retry_backoff_s, timeout_s, storage_options"
    with pytest.raises(
        TypeError, match=re.escape(f"{cls.__name__} got unexpected keyword argument(s) 'timeout'; {takes}")
    ):
        cls(str(tmp_path), timeout=5)


def test_fetch_reads_local_files_and_names_http_failures(served: Path, server: LoopbackServer, tmp_path: Path):
    (tmp_path / "x.txt").write_bytes(b"local")
    assert fetch_bytes(str(tmp_path / "x.txt")) == b"local"
    with pytest.raises(OSError, match=r"HTTP 404 no such file for http://127\.0\.0\.1:\d+/nothing"):
        fetch_bytes(f"{server.url}/nothing")
