"""``ArxivDownloadExtractStage``: bulk source tars -> papers -> cleaned LaTeX text."""

from __future__ import annotations

from typing import Any, Literal

from curator_dask.stages.text.download.arxiv.download import ArxivDownloader
from curator_dask.stages.text.download.arxiv.extract import ArxivExtractor
from curator_dask.stages.text.download.arxiv.iterator import ArxivIterator
from curator_dask.stages.text.download.arxiv.url_generation import ARXIV_SOURCE_URL, ArxivUrlGenerator
from curator_dask.stages.text.download.base import DocumentDownloadExtractStage

__all__ = ["ArxivDownloadExtractStage"]


class ArxivDownloadExtractStage(DocumentDownloadExtractStage):
    """Downloads arXiv's bulk LaTeX source tars and extracts each paper's cleaned text.

    NeMo Curator lists and copies ``s3://arxiv/src/`` with ``s5cmd``; this reads any fsspec or
    HTTP(S) location. For arXiv's own requester-pays bucket install ``s3fs`` and pass
    ``storage_options={"requester_pays": True}`` (AWS credentials come from the usual chain; the
    transfer is billed to that account).

    Output columns: ``text`` (plus ``id`` and ``source_id`` with ``keep_metadata=True``) and the
    file name column unless ``add_filename_column=False``.

    Args:
        download_dir: where the tars go; a complete tar there is not fetched again.
        url_limit: download at most this many tars.
        record_limit: keep at most this many papers per tar.
        add_filename_column: add the tar's name as ``"file_name"`` (``True``) or this column.
        log_frequency: log progress every this many papers.
        verbose: log every download.
        source_url: the folder of the tars.
        storage_options: fsspec options for ``source_url``.
        keep_metadata: keep each paper's ``id`` and ``source_id`` next to its text.
        download_on_error, on_error, extract_timeout_s: see ``DocumentDownloadExtractStage``.
        downloader_kwargs: further ``ArxivDownloader`` arguments (``max_retries``, ``timeout_s``).
    """

    def __init__(
        self,
        download_dir: str = "./arxiv_downloads",
        url_limit: int | None = None,
        record_limit: int | None = None,
        add_filename_column: bool | str = True,
        log_frequency: int = 1000,
        verbose: bool = False,
        source_url: str = ARXIV_SOURCE_URL,
        storage_options: dict[str, Any] | None = None,
        keep_metadata: bool = False,
        download_on_error: Literal["raise", "skip"] = "raise",
        on_error: Literal["raise", "skip"] = "skip",
        extract_timeout_s: float | None = None,
        downloader_kwargs: dict[str, Any] | None = None,
    ) -> None:
        options = storage_options or {}
        super().__init__(
            url_generator=ArxivUrlGenerator(source_url=source_url, storage_options=options),
            downloader=ArxivDownloader(
                download_dir, verbose, source_url=source_url, storage_options=options, **(downloader_kwargs or {})
            ),
            iterator=ArxivIterator(log_frequency=log_frequency),
            extractor=ArxivExtractor(keep_metadata=keep_metadata),
            url_limit=url_limit,
            record_limit=record_limit,
            add_filename_column=add_filename_column,
            download_on_error=download_on_error,
            on_error=on_error,
            extract_timeout_s=extract_timeout_s,
        )
        self.name = "arxiv_pipeline"

    def get_description(self) -> str:
        return "Arxiv pipeline"
