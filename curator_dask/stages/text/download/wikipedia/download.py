"""``WikipediaDownloader``: dump files (``.xml.bz2``) over HTTP(S) or fsspec, resumable and retried."""

from __future__ import annotations

from curator_dask.stages.text.download.base.download import FetchingDownloader

__all__ = ["WikipediaDownloader"]


class WikipediaDownloader(FetchingDownloader):
    """Downloads Wikipedia dump files to ``download_dir``, named by their URL path (``/`` -> ``-``).

    NeMo Curator runs ``wget``; this needs no external program and keeps Wikimedia's limit of two
    connections per client (see ``FetchingDownloader``, which also gives resumption and retries).

    Args:
        download_dir: where the ``.bz2`` files go.
        verbose: log every download.
        options: ``max_retries``, ``retry_backoff_s``, ``timeout_s``, ``storage_options`` (``FetchingDownloader``).
    """
