"""Download-and-extract stages: Common Crawl, Wikipedia and ArXiv, on one base contract (``base``)."""

from curator_dask.stages.text.download.base import (
    DocumentDownloader,
    DocumentDownloadExtractStage,
    DocumentExtractor,
    DocumentIterator,
    URLGenerator,
)
from curator_dask.stages.text.download.common_crawl import CommonCrawlDownloadExtractStage

__all__ = [
    "CommonCrawlDownloadExtractStage",
    "DocumentDownloadExtractStage",
    "DocumentDownloader",
    "DocumentExtractor",
    "DocumentIterator",
    "URLGenerator",
]
