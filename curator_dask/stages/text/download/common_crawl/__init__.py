"""Common Crawl: snapshot URLs, WARC downloads, WARC/WET iteration and HTML text extraction."""

from curator_dask.stages.text.download.common_crawl.stage import CommonCrawlDownloadExtractStage

__all__ = ["CommonCrawlDownloadExtractStage"]
