"""Wikipedia: dump URLs, ``.bz2`` downloads, the XML page iterator and the wikitext extractor."""

from curator_dask.stages.text.download.wikipedia.download import WikipediaDownloader
from curator_dask.stages.text.download.wikipedia.extract import WikipediaExtractor
from curator_dask.stages.text.download.wikipedia.iterator import WikipediaIterator
from curator_dask.stages.text.download.wikipedia.stage import WikipediaDownloadExtractStage
from curator_dask.stages.text.download.wikipedia.url_generation import WikipediaUrlGenerator

__all__ = [
    "WikipediaDownloadExtractStage",
    "WikipediaDownloader",
    "WikipediaExtractor",
    "WikipediaIterator",
    "WikipediaUrlGenerator",
]
