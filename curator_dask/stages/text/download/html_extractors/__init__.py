"""HTML text extraction algorithms for Common Crawl pages, as in NeMo Curator.

``JusTextExtractor`` (the default), ``ResiliparseExtractor`` and ``TrafilaturaExtractor`` share
``HTMLExtractorAlgorithm.extract_text(html, stop_words, language)``; ``utils.get_stop_list_dict``
gives the stop words and ``utils.lang_detect`` the language. Parsing libraries are imported on
first use, so importing this package is cheap.
"""

from __future__ import annotations

from curator_dask.stages.text.download.html_extractors.base import HTMLExtractorAlgorithm
from curator_dask.stages.text.download.html_extractors.justext import JusTextExtractor
from curator_dask.stages.text.download.html_extractors.resiliparse import ResiliparseExtractor
from curator_dask.stages.text.download.html_extractors.trafilatura import TrafilaturaExtractor

__all__ = [
    "HTMLExtractorAlgorithm",
    "JusTextExtractor",
    "ResiliparseExtractor",
    "TrafilaturaExtractor",
]
