"""``CommonCrawlDownloadExtractStage``: Common Crawl snapshots -> WARC files -> documents."""

from __future__ import annotations

import logging
from typing import Any, Literal

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base import DocumentDownloadExtractStage
from curator_dask.stages.text.download.common_crawl.download import CommonCrawlWARCDownloader
from curator_dask.stages.text.download.common_crawl.extract import CommonCrawlHTMLExtractor
from curator_dask.stages.text.download.common_crawl.url_generation import (
    MainCommonCrawlUrlGenerator,
    NewsCommonCrawlUrlGenerator,
)
from curator_dask.stages.text.download.common_crawl.warc_iterator import CommonCrawlWarcIterator

__all__ = ["CommonCrawlDownloadExtractStage"]

logger = logging.getLogger(__name__)


class CommonCrawlDownloadExtractStage(DocumentDownloadExtractStage):
    """Downloads the WARC files of a snapshot range and extracts text from their HTML responses.

    NeMo Curator's parameters, plus (keyword-only, all optional):

    Args:
        data_prefix, index_prefix: where crawl data and the snapshot index live (a mirror, a test server).
        download_on_error: ``"raise"`` (default) or ``"skip"``: report URLs that failed after retries.
        on_error: ``"skip"`` (default) counts bad records and files; ``"raise"`` stops at the first.
        extract_timeout_s: longest one page's extraction may take (default 60 s; ``None``: no limit).
        max_retries, retry_backoff_s: download retries and the first wait between them.
        storage_options: fsspec options for non-HTTP sources.
    """

    def __init__(
        self,
        start_snapshot: str,
        end_snapshot: str,
        download_dir: str,
        crawl_type: Literal["main", "news"] = "main",
        html_extraction: Any = None,
        html_extraction_kwargs: dict[str, Any] | None = None,
        stop_lists: dict[str, frozenset[str]] | None = None,
        use_aws_to_download: bool = False,
        verbose: bool = False,
        url_limit: int | None = None,
        record_limit: int | None = None,
        add_filename_column: bool | str = True,
        extractor_max_calls_per_worker: int | None = None,
        *,
        data_prefix: str = "https://data.commoncrawl.org",
        index_prefix: str = "https://index.commoncrawl.org",
        download_on_error: Literal["raise", "skip"] = "raise",
        on_error: Literal["raise", "skip"] = "skip",
        extract_timeout_s: float | None = 60.0,
        max_retries: int = 3,
        retry_backoff_s: float = 1.0,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        if crawl_type not in ("main", "news"):
            msg = f"crawl_type must be 'main' or 'news', got {crawl_type!r}"
            raise ConfigError(msg)
        self.crawl_type = crawl_type
        self.start_snapshot = start_snapshot
        self.end_snapshot = end_snapshot
        url_generator = (
            MainCommonCrawlUrlGenerator(start_snapshot, end_snapshot, data_prefix, url_limit, index_prefix)
            if crawl_type == "main"
            else NewsCommonCrawlUrlGenerator(start_snapshot, end_snapshot, data_prefix, url_limit)
        )
        downloader = CommonCrawlWARCDownloader(
            download_dir,
            use_aws_to_download=use_aws_to_download,
            verbose=verbose,
            max_retries=max_retries,
            retry_backoff_s=retry_backoff_s,
            storage_options=storage_options,
        )
        extractor = CommonCrawlHTMLExtractor(html_extraction, html_extraction_kwargs, stop_lists)
        super().__init__(
            url_generator=url_generator,
            downloader=downloader,
            iterator=CommonCrawlWarcIterator(storage_options=storage_options),
            extractor=extractor,
            url_limit=url_limit,
            record_limit=record_limit,
            add_filename_column=add_filename_column,
            extractor_max_calls_per_worker=extractor_max_calls_per_worker,
            download_on_error=download_on_error,
            on_error=on_error,
            extract_timeout_s=extract_timeout_s,
        )
        self.name = f"common_crawl_{self.crawl_type}_pipeline"

    def get_description(self) -> str:
        return f"Common Crawl {self.crawl_type} pipeline: {self.start_snapshot} to {self.end_snapshot}"
