"""``ArxivDownloader``: bulk source tars over fsspec or HTTP(S), resumable and retried; no s5cmd."""

from __future__ import annotations

import posixpath
from typing import Unpack
from urllib.parse import urlparse

from curator_dask.stages.text.download.arxiv.url_generation import ARXIV_SOURCE_URL
from curator_dask.stages.text.download.base.download import FetchingDownloader, FetchOptions

__all__ = ["ArxivDownloader"]


class ArxivDownloader(FetchingDownloader):
    """Downloads arXiv source tars to ``download_dir`` under their own names (``arXiv_src_2301_001.tar``).

    URLs are full (``ArxivUrlGenerator`` makes them); a bare tar name, as NeMo Curator's generator
    yields, is taken relative to ``source_url``.

    Args:
        download_dir: where the tars go.
        verbose: log every download.
        source_url: base of bare tar names.
        options: ``max_retries``, ``retry_backoff_s``, ``timeout_s`` and ``storage_options`` (fsspec
            options: ``{"requester_pays": True}`` for ``s3://arxiv``), as in ``FetchingDownloader``.
    """

    def __init__(
        self,
        download_dir: str,
        verbose: bool = False,
        *,
        source_url: str = ARXIV_SOURCE_URL,
        **options: Unpack[FetchOptions],
    ) -> None:
        super().__init__(download_dir, verbose, **options)
        self.source_url = source_url

    def _source(self, url: str) -> str:
        if urlparse(url).scheme:
            return url
        return self.source_url.rstrip("/") + "/" + url

    def _get_output_filename(self, url: str) -> str:
        return posixpath.basename(urlparse(url).path) or url
