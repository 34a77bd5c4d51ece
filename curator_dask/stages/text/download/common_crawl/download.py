"""``CommonCrawlWARCDownloader``: WARC files over HTTPS (or any fsspec URL), resumable and retried."""

from __future__ import annotations

from typing import Unpack
from urllib.parse import urlparse

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base.download import FetchingDownloader, FetchOptions

__all__ = ["CommonCrawlWARCDownloader"]

CC_BASE_URL = "https://data.commoncrawl.org/"


class CommonCrawlWARCDownloader(FetchingDownloader):
    """Downloads Common Crawl WARC files to ``download_dir`` (named by their path, ``/`` -> ``-``).

    No ``wget``, ``aws`` or ``s5cmd`` is needed (see ``FetchingDownloader``). ``use_aws_to_download=True``
    reads ``s3://commoncrawl/<path>`` through fsspec (``s3fs`` must be installed; credentials come
    from ``storage_options`` or the usual AWS chain).

    Args:
        download_dir: where the WARC files go.
        use_aws_to_download: fetch from the ``commoncrawl`` S3 bucket instead of HTTPS.
        verbose: log every download.
        options: ``max_retries``, ``retry_backoff_s``, ``timeout_s``, ``storage_options`` (``FetchingDownloader``).
    """

    def __init__(
        self,
        download_dir: str,
        use_aws_to_download: bool = False,
        verbose: bool = False,
        **options: Unpack[FetchOptions],
    ) -> None:
        super().__init__(download_dir, verbose, **options)
        self.use_aws_to_download = use_aws_to_download
        if use_aws_to_download:
            try:
                import s3fs  # noqa: F401
            except ImportError:
                msg = (
                    "use_aws_to_download=True reads s3://commoncrawl through fsspec, which needs s3fs; "
                    "install it (pip install s3fs) or download over HTTPS with use_aws_to_download=False"
                )
                raise ConfigError(msg) from None

    def _source(self, url: str) -> str:
        if self.use_aws_to_download:
            return "s3://commoncrawl/" + urlparse(url).path.lstrip("/")
        return url
