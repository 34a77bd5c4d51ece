"""``WikipediaDownloader``: dump files (``.xml.bz2``) over HTTP(S) or fsspec, resumable and retried."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from curator_dask.stages.text.download.base import DocumentDownloader
from curator_dask.stages.text.download.base.fetch import fetch_to_path

__all__ = ["WikipediaDownloader"]


class WikipediaDownloader(DocumentDownloader):
    """Downloads Wikipedia dump files to ``download_dir``, named by their URL path (``/`` -> ``-``).

    NeMo Curator runs ``wget``; this needs no external program (HTTP through the standard library,
    other URLs through fsspec) and inherits resumption and retries from ``DocumentDownloader``.

    Args:
        download_dir: where the ``.bz2`` files go.
        verbose: log every download.
        max_retries, retry_backoff_s: see ``DocumentDownloader``.
        timeout_s: socket timeout of one HTTP request.
        storage_options: fsspec options for non-HTTP URLs.
    """

    def __init__(
        self,
        download_dir: str,
        verbose: bool = False,
        *,
        max_retries: int = 3,
        retry_backoff_s: float = 1.0,
        timeout_s: float = 60.0,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(download_dir, verbose, max_retries=max_retries, retry_backoff_s=retry_backoff_s)
        self.timeout_s = timeout_s
        self.storage_options = storage_options or {}

    def _get_output_filename(self, url: str) -> str:
        return urlparse(url).path[1:].replace("/", "-")

    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        return fetch_to_path(url, path, timeout_s=self.timeout_s, storage_options=self.storage_options)

    def num_workers_per_node(self) -> int | None:
        # Wikimedia allows two connections per client; NeMo Curator keeps the same limit.
        return 2
