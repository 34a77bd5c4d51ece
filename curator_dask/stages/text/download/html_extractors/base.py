"""``HTMLExtractorAlgorithm``: the one interface the Common Crawl extractor calls per page.

An algorithm turns one decoded HTML page into its kept paragraphs, given the stop words of the
page's language (see ``utils.get_stop_list_dict``) and that language's name as language detection
spells it (``"ENGLISH"``, ``"THAI"``). Returning ``None`` or ``[]`` drops the page.

The stop-word density rule that NeMo Curator adds on top of Resiliparse and Trafilatura lives here
once, so both algorithms apply it the same way.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from curator_dask.errors import ConfigError

__all__ = ["HTMLExtractorAlgorithm"]

logger = logging.getLogger(__name__)


class HTMLExtractorAlgorithm(ABC):
    """Base of the HTML text extraction algorithms (jusText, Resiliparse, Trafilatura).

    Subclasses keep only configuration in ``__init__`` (they are pickled to every worker) and
    import their parsing library inside ``extract_text``, so importing curator_dask stays light.
    """

    # Languages written without spaces between words: a whitespace split cannot count their stop
    # words, so the stop-word rules are skipped for them.
    NON_SPACED_LANGUAGES: ClassVar[frozenset[str]] = frozenset(["THAI", "CHINESE", "JAPANESE", "KOREAN"])

    # Languages already warned about in this process, per class; the warning is once per language,
    # not once per page (NeMo Curator's Resiliparse and Trafilatura warn on every page).
    _warned_languages: ClassVar[set[tuple[str, str]]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._warned_languages = set()

    @abstractmethod
    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None:
        """Return the paragraphs of ``html`` worth keeping, or ``None`` when there are none.

        Args:
            html: the decoded page.
            stop_words: stop words of the page's language.
            language: the page's language, upper case (``"ENGLISH"``).
        """

    def _warn_once(self, language: str, message: str) -> None:
        key = (type(self).__name__, language)
        if key not in self._warned_languages:
            self._warned_languages.add(key)
            logger.warning("%s: %s (language %s)", type(self).__name__, message, language)

    def _filter_by_stopword_density(
        self, paragraphs: Iterable[str], stop_words: frozenset[str], language: str, required_density: float
    ) -> list[str]:
        """Keep paragraphs whose share of stop words (by whitespace-split words) reaches ``required_density``.

        Words are matched as split, case and punctuation included, as NeMo Curator does. Empty lines
        are dropped; non-spaced languages keep every non-empty paragraph.
        """
        lines = [p for p in paragraphs if p]
        if language in self.NON_SPACED_LANGUAGES:
            self._warn_once(language, "stop-word density is not applied to a non-space-separated language")
            return lines
        kept = []
        for paragraph in lines:
            words = paragraph.split()
            if words and sum(word in stop_words for word in words) / len(words) >= required_density:
                kept.append(paragraph)
        return kept


def check_fraction(owner: str, name: str, value: float) -> None:
    """Raise ``ConfigError`` unless ``value`` is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        msg = f"{owner}: {name}={value!r} is not a fraction. Allowed: a number from 0 to 1. Fix: pass e.g. {name}=0.32."
        raise ConfigError(msg)


def check_count(owner: str, name: str, value: int | None, *, allow_none: bool = False) -> None:
    """Raise ``ConfigError`` unless ``value`` is a non-negative integer (or ``None`` when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        allowed = "a non-negative integer" + (" or None" if allow_none else "")
        msg = f"{owner}: {name}={value!r} is not allowed. Allowed: {allowed}. Fix: pass e.g. {name}=100."
        raise ConfigError(msg)
