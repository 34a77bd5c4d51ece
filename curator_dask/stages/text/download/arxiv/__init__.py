"""ArXiv: bulk LaTeX source tars from any fsspec or HTTP(S) location, their papers and cleaned text."""

from curator_dask.stages.text.download.arxiv.download import ArxivDownloader
from curator_dask.stages.text.download.arxiv.extract import ArxivExtractor
from curator_dask.stages.text.download.arxiv.iterator import ArxivIterator
from curator_dask.stages.text.download.arxiv.stage import ArxivDownloadExtractStage
from curator_dask.stages.text.download.arxiv.url_generation import ArxivUrlGenerator

__all__ = [
    "ArxivDownloadExtractStage",
    "ArxivDownloader",
    "ArxivExtractor",
    "ArxivIterator",
    "ArxivUrlGenerator",
]
