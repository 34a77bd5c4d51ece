"""Download-and-extract stages: Common Crawl, Wikipedia and ArXiv, on one base contract (``base``)."""

from curator_dask.stages.text.download.arxiv.stage import ArxivDownloadExtractStage
from curator_dask.stages.text.download.base import (
    DocumentDownloader,
    DocumentDownloadExtractStage,
    DocumentExtractor,
    DocumentIterator,
    URLGenerator,
)
from curator_dask.stages.text.download.common_crawl import CommonCrawlDownloadExtractStage
from curator_dask.stages.text.download.wikipedia.stage import WikipediaDownloadExtractStage

__all__ = [
    "ArxivDownloadExtractStage",
    "CommonCrawlDownloadExtractStage",
    "DocumentDownloadExtractStage",
    "DocumentDownloader",
    "DocumentExtractor",
    "DocumentIterator",
    "URLGenerator",
    "WikipediaDownloadExtractStage",
]
