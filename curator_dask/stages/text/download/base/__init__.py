"""The download contract: generate URLs, download them, iterate the files, extract the records."""

from curator_dask.stages.text.download.base.download import DocumentDownloader, DocumentDownloadStage
from curator_dask.stages.text.download.base.extract import DocumentExtractor
from curator_dask.stages.text.download.base.iterator import DocumentIterateExtractStage, DocumentIterator
from curator_dask.stages.text.download.base.stage import DocumentDownloadExtractStage
from curator_dask.stages.text.download.base.url_generation import URLGenerationStage, URLGenerator

__all__ = [
    "DocumentDownloadExtractStage",
    "DocumentDownloadStage",
    "DocumentDownloader",
    "DocumentExtractor",
    "DocumentIterateExtractStage",
    "DocumentIterator",
    "URLGenerationStage",
    "URLGenerator",
]
