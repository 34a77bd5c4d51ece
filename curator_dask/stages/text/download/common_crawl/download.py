"""``CommonCrawlWARCDownloader``: WARC files over HTTPS (or any fsspec URL), resumable and retried."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlparse

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base import DocumentDownloader
from curator_dask.stages.text.download.base.fetch import fetch_to_path

__all__ = ["CommonCrawlWARCDownloader"]

CC_BASE_URL = "https://data.commoncrawl.org/"


class CommonCrawlWARCDownloader(DocumentDownloader):
    """Downloads Common Crawl WARC files to ``download_dir`` (named by their path, ``/`` -> ``-``).

    No ``wget``, ``aws`` or ``s5cmd`` is needed: HTTP(S) goes through the standard library and other
    URLs through fsspec. ``use_aws_to_download=True`` reads ``s3://commoncrawl/<path>`` through fsspec
    (``s3fs`` must be installed; credentials come from ``storage_options`` or the usual AWS chain).

    Args:
        download_dir: where the WARC files go.
        use_aws_to_download: fetch from the ``commoncrawl`` S3 bucket instead of HTTPS.
        verbose: log every download.
        max_retries, retry_backoff_s: see ``DocumentDownloader`` (3 retries here: NeMo's ``wget`` retried too).
        timeout_s: socket timeout of one HTTP request.
        storage_options: fsspec options for non-HTTP URLs.
    """

    def __init__(
        self,
        download_dir: str,
        use_aws_to_download: bool = False,
        verbose: bool = False,
        *,
        max_retries: int = 3,
        retry_backoff_s: float = 1.0,
        timeout_s: float = 60.0,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(download_dir, verbose, max_retries=max_retries, retry_backoff_s=retry_backoff_s)
        self.use_aws_to_download = use_aws_to_download
        self.timeout_s = timeout_s
        self.storage_options = storage_options or {}
        if use_aws_to_download:
            try:
                import s3fs  # noqa: F401
            except ImportError:
                msg = (
                    "use_aws_to_download=True reads s3://commoncrawl through fsspec, which needs s3fs; "
                    "install it (pip install s3fs) or download over HTTPS with use_aws_to_download=False"
                )
                raise ConfigError(msg) from None

    def num_workers_per_node(self) -> int:
        # Common Crawl throttles clients that open many connections; two per node is NeMo Curator's choice.
        return 2

    def _get_output_filename(self, url: str) -> str:
        path = urlparse(url).path.lstrip("/")
        return path.replace("/", "-") or posixpath.basename(url)

    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        source = url
        if self.use_aws_to_download:
            source = "s3://commoncrawl/" + urlparse(url).path.lstrip("/")
        return fetch_to_path(source, path, timeout_s=self.timeout_s, storage_options=self.storage_options)
