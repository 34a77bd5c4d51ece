"""``WikipediaDownloadExtractStage``: dump URLs -> ``.bz2`` files -> articles -> plain text."""

from __future__ import annotations

from typing import Any, Literal

from curator_dask.stages.text.download.base import DocumentDownloadExtractStage
from curator_dask.stages.text.download.wikipedia.download import WikipediaDownloader
from curator_dask.stages.text.download.wikipedia.extract import WikipediaExtractor
from curator_dask.stages.text.download.wikipedia.iterator import WikipediaIterator
from curator_dask.stages.text.download.wikipedia.url_generation import WikipediaUrlGenerator

__all__ = ["WikipediaDownloadExtractStage"]


class WikipediaDownloadExtractStage(DocumentDownloadExtractStage):
    """Downloads one wiki's article dump and extracts each article's text.

    Output columns: ``text``, ``title``, ``id``, ``url``, ``language``, ``source_id`` (the dump
    file's name), and the file name column unless ``add_filename_column=False``.

    Args:
        language: the wiki's language code (``"en"``).
        download_dir: where the ``.bz2`` files go; a complete file there is not fetched again.
        dump_date: ``"YYYYMMDD"``, or ``None`` for the newest completed dump.
        wikidumps_index_prefix: the dump server.
        verbose: log every download.
        url_limit: download at most this many dump files.
        record_limit: keep at most this many articles per file.
        add_filename_column: add the file's name as ``"file_name"`` (``True``) or this column.
        log_frequency: log progress every this many pages.
        download_on_error, on_error, extract_timeout_s: see ``DocumentDownloadExtractStage``.
        downloader_kwargs: further ``WikipediaDownloader`` arguments (``max_retries``, ``timeout_s``).
    """

    def __init__(
        self,
        language: str = "en",
        download_dir: str = "./wikipedia_downloads",
        dump_date: str | None = None,
        wikidumps_index_prefix: str = "https://dumps.wikimedia.org",
        verbose: bool = False,
        url_limit: int | None = None,
        record_limit: int | None = None,
        add_filename_column: bool | str = True,
        log_frequency: int = 1000,
        download_on_error: Literal["raise", "skip"] = "raise",
        on_error: Literal["raise", "skip"] = "skip",
        extract_timeout_s: float | None = None,
        downloader_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.language = language
        self.download_dir = download_dir
        self.dump_date = dump_date
        self.wikidumps_index_prefix = wikidumps_index_prefix
        self.verbose = verbose
        self.log_frequency = log_frequency
        super().__init__(
            url_generator=WikipediaUrlGenerator(
                language=language, dump_date=dump_date, wikidumps_index_prefix=wikidumps_index_prefix
            ),
            downloader=WikipediaDownloader(download_dir, verbose, **(downloader_kwargs or {})),
            iterator=WikipediaIterator(language=language, log_frequency=log_frequency),
            extractor=WikipediaExtractor(language=language),
            url_limit=url_limit,
            record_limit=record_limit,
            add_filename_column=add_filename_column,
            download_on_error=download_on_error,
            on_error=on_error,
            extract_timeout_s=extract_timeout_s,
        )
        self.name = f"wikipedia_{language}_pipeline"

    def get_description(self) -> str:
        return f"Wikipedia {self.language} pipeline for dump {self.dump_date or 'latest'}"
