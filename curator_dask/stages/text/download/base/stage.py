"""``DocumentDownloadExtractStage``: url generation -> download -> iterate-extract, as one composite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.text.download.base.download import DocumentDownloader, DocumentDownloadStage
from curator_dask.stages.text.download.base.extract import DocumentExtractor
from curator_dask.stages.text.download.base.iterator import DocumentIterateExtractStage, DocumentIterator
from curator_dask.stages.text.download.base.url_generation import URLGenerationStage, URLGenerator
from curator_dask.tasks import DocumentBatch, EmptyTask

__all__ = ["DocumentDownloadExtractStage"]


@dataclass
class DocumentDownloadExtractStage(CompositeStage[EmptyTask, DocumentBatch]):
    """Downloads the files a ``URLGenerator`` names and extracts their records into documents.

    Args:
        url_generator, downloader, iterator, extractor: the four parts (``extractor`` optional).
        url_limit: download at most this many URLs.
        record_limit: keep at most this many documents per file.
        add_filename_column: add the file's base name (``True``: as ``"file_name"``; a string: that column).
        extractor_max_calls_per_worker: NeMo Curator's Ray Data option; accepted and unused on Dask.
        download_on_error: ``"raise"`` (default) or ``"skip"``: report failed URLs and go on.
        on_error: what a bad record or file does at iteration: ``"skip"`` (default, counted) or ``"raise"``.
        extract_timeout_s: the longest one record's extraction may take (``None``: no limit).
    """

    url_generator: URLGenerator
    downloader: DocumentDownloader
    iterator: DocumentIterator
    extractor: DocumentExtractor | None = None
    url_limit: int | None = None
    record_limit: int | None = None
    add_filename_column: bool | str = True
    extractor_max_calls_per_worker: int | None = None
    download_on_error: Literal["raise", "skip"] = "raise"
    on_error: Literal["raise", "skip"] = "skip"
    extract_timeout_s: float | None = None

    def __post_init__(self) -> None:
        # Our settings are passed on only where they differ from the sub-stages' defaults, so that
        # with NeMo Curator's arguments the sub-stages are built with exactly NeMo Curator's calls.
        download_extra = {"on_error": self.download_on_error} if self.download_on_error != "raise" else {}
        iterate_extra: dict[str, Any] = {"on_error": self.on_error} if self.on_error != "skip" else {}
        if self.extract_timeout_s is not None:
            iterate_extra["extract_timeout_s"] = self.extract_timeout_s
        self.stages: list[ProcessingStage] = [
            URLGenerationStage(url_generator=self.url_generator, limit=self.url_limit),
            DocumentDownloadStage(downloader=self.downloader, **download_extra),
            DocumentIterateExtractStage(
                iterator=self.iterator,
                extractor=self.extractor,
                record_limit=self.record_limit,
                add_filename_column=self.add_filename_column,
                max_calls_per_worker=self.extractor_max_calls_per_worker,
                **iterate_extra,
            ),
        ]
        generator_name = type(self.url_generator).__name__.lower()
        downloader_name = type(self.downloader).__name__.lower()
        self.name = f"document_download_extract_{generator_name}_{downloader_name}_composite"

    def decompose(self) -> list[ProcessingStage]:
        return self.stages

    def get_description(self) -> str:
        return (
            f"URL-Download-Iterate-Extract pipeline using {type(self.url_generator).__name__} "
            f"and {type(self.downloader).__name__}"
        )
