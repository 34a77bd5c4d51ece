"""``ArxivDownloader``: bulk source tars over fsspec or HTTP(S), resumable and retried; no s5cmd."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlparse

from curator_dask.stages.text.download.arxiv.url_generation import ARXIV_SOURCE_URL
from curator_dask.stages.text.download.base import DocumentDownloader
from curator_dask.stages.text.download.base.fetch import fetch_to_path

__all__ = ["ArxivDownloader"]


class ArxivDownloader(DocumentDownloader):
    """Downloads arXiv source tars to ``download_dir`` under their own names (``arXiv_src_2301_001.tar``).

    URLs are full (``ArxivUrlGenerator`` makes them); a bare tar name, as NeMo Curator's generator
    yields, is taken relative to ``source_url``.

    Args:
        download_dir: where the tars go.
        verbose: log every download.
        source_url: base of bare tar names.
        storage_options: fsspec options (``{"requester_pays": True}`` for ``s3://arxiv``).
        max_retries, retry_backoff_s: see ``DocumentDownloader``.
        timeout_s: socket timeout of one HTTP request.
    """

    def __init__(
        self,
        download_dir: str,
        verbose: bool = False,
        *,
        source_url: str = ARXIV_SOURCE_URL,
        storage_options: dict[str, Any] | None = None,
        max_retries: int = 3,
        retry_backoff_s: float = 1.0,
        timeout_s: float = 60.0,
    ) -> None:
        super().__init__(download_dir, verbose, max_retries=max_retries, retry_backoff_s=retry_backoff_s)
        self.source_url = source_url
        self.storage_options = storage_options or {}
        self.timeout_s = timeout_s

    def num_workers_per_node(self) -> int:
        return 2

    def _full_url(self, url: str) -> str:
        if urlparse(url).scheme:
            return url
        return self.source_url.rstrip("/") + "/" + url

    def _get_output_filename(self, url: str) -> str:
        return posixpath.basename(urlparse(url).path) or url

    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        return fetch_to_path(self._full_url(url), path, timeout_s=self.timeout_s, storage_options=self.storage_options)
