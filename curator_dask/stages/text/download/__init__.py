"""Download-and-extract stages: Common Crawl, Wikipedia and ArXiv, on one base contract (``base``)."""

from curator_dask.stages.text.download.base import (
    DocumentDownloader,
    DocumentDownloadExtractStage,
    DocumentExtractor,
    DocumentIterator,
    URLGenerator,
)

__all__ = [
    "DocumentDownloadExtractStage",
    "DocumentDownloader",
    "DocumentExtractor",
    "DocumentIterator",
    "URLGenerator",
]
