"""``CommonCrawlHTMLExtractor``: decode a response's HTML, detect its language, extract its text.

The algorithm is NeMo Curator's ``HTMLExtractorAlgorithm`` interface,
``extract_text(html, stop_words, language) -> list[str] | None`` (``"justext"``, the default,
``"resiliparse"``, ``"trafilatura"``, or an instance); paragraphs are joined with blank lines. A
page in a language without a stop list, or with no text left, gives no document (``None``), as in
NeMo Curator. ``CommonCrawlWETExtractor`` does the same for the text records of WET files.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from typing import Any, Protocol

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.base import DocumentExtractor
from curator_dask.stages.text.download.utils import decode_html, lang_detect

__all__ = ["HTML_EXTRACTORS", "CommonCrawlHTMLExtractor", "CommonCrawlWETExtractor"]

logger = logging.getLogger(__name__)

# name -> (module, class) under curator_dask.stages.text.download.html_extractors
HTML_EXTRACTORS = {
    "justext": ("justext", "JusTextExtractor"),
    "resiliparse": ("resiliparse", "ResiliparseExtractor"),
    "trafilatura": ("trafilatura", "TrafilaturaExtractor"),
}
_PACKAGE = "curator_dask.stages.text.download.html_extractors"
_COLUMNS = ["url", "warc_id", "source_id", "language", "text"]


class _Algorithm(Protocol):
    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None: ...


def _algorithm(algorithm: Any, kwargs: dict[str, Any]) -> _Algorithm:
    if algorithm is None:
        algorithm = "justext"
    if isinstance(algorithm, str):
        if algorithm not in HTML_EXTRACTORS:
            msg = f"Invalid algorithm: {algorithm!r}; use one of {sorted(HTML_EXTRACTORS)} or an HTMLExtractorAlgorithm"
            raise ConfigError(msg)
        module, name = HTML_EXTRACTORS[algorithm]
        made: _Algorithm = getattr(importlib.import_module(f"{_PACKAGE}.{module}"), name)(**kwargs)
        return made
    if not callable(getattr(algorithm, "extract_text", None)):
        msg = f"Invalid algorithm: {algorithm!r} has no extract_text(html, stop_words, language) method"
        raise ConfigError(msg)
    if kwargs:
        logger.warning("html_extraction_kwargs are ignored when an HTMLExtractorAlgorithm instance is given")
    return algorithm  # type: ignore[no-any-return]


@cache
def _default_stop_lists() -> dict[str, frozenset[str]]:
    # Cached per process and left out of pickles (megabytes): a stage copy sent to a worker, or an
    # extractor sent to the time limit's child, rebuilds them there once, not once per run.
    stop_lists: dict[str, frozenset[str]] = importlib.import_module(f"{_PACKAGE}.utils").get_stop_list_dict()
    return stop_lists


class CommonCrawlHTMLExtractor(DocumentExtractor):
    """Turns a WARC response record into ``{"url", "warc_id", "source_id", "language", "text"}``.

    Args:
        algorithm: ``"justext"`` (default), ``"resiliparse"``, ``"trafilatura"`` or an instance.
        algorithm_kwargs: keyword arguments for the algorithm named by a string.
        stop_lists: language name (``"ENGLISH"``) -> stop words; default: every list the extractors ship.
    """

    def __init__(
        self,
        algorithm: Any = None,
        algorithm_kwargs: dict[str, Any] | None = None,
        stop_lists: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.algorithm = _algorithm(algorithm, dict(algorithm_kwargs or {}))
        self._default_stop_lists = stop_lists is None
        self._stop_lists = stop_lists if stop_lists is not None else _default_stop_lists()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self._default_stop_lists:
            state["_stop_lists"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._stop_lists is None:
            self._stop_lists = _default_stop_lists()

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        content = record.get("content")
        if not content:
            return None
        html = decode_html(content) if isinstance(content, bytes) else str(content)
        if html is None:
            return None
        language = lang_detect(html)
        if language not in self._stop_lists:
            return None
        paragraphs = self.algorithm.extract_text(html, self._stop_lists[language], language)
        if not paragraphs:
            return None
        return {
            "url": record["url"],
            "warc_id": record["warc_id"],
            "source_id": record["source_id"],
            "language": language,
            "text": "\n\n".join(paragraphs),
        }

    def input_columns(self) -> list[str]:
        return ["url", "warc_id", "source_id", "content"]

    def output_columns(self) -> list[str]:
        return list(_COLUMNS)


class CommonCrawlWETExtractor(DocumentExtractor):
    """Turns a WET conversion record (text Common Crawl extracted) into a document with its language."""

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        content = record.get("content")
        text = decode_html(content) if isinstance(content, bytes) else content
        if not text or not text.strip():
            return None
        return {
            "url": record["url"],
            "warc_id": record["warc_id"],
            "source_id": record["source_id"],
            "language": lang_detect(text),
            "text": text.strip(),
        }

    def input_columns(self) -> list[str]:
        return ["url", "warc_id", "source_id", "content"]

    def output_columns(self) -> list[str]:
        return list(_COLUMNS)
