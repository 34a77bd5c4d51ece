"""``TrafilaturaExtractor``: Trafilatura's main-text extraction with NeMo Curator's stop-word rule."""

from __future__ import annotations

import inspect
from typing import Any

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.html_extractors.base import (
    HTMLExtractorAlgorithm,
    check_count,
    check_fraction,
)

__all__ = ["TrafilaturaExtractor"]

# Settings NeMo Curator exposes as parameters, written into Trafilatura's config under these keys.
_CONFIG_KEYS = {
    "min_extracted_size": "MIN_EXTRACTED_SIZE",
    "min_extracted_comm_size": "MIN_EXTRACTED_COMM_SIZE",
    "min_output_size": "MIN_OUTPUT_SIZE",
    "min_output_comm_size": "MIN_OUTPUT_COMM_SIZE",
    "max_tree_size": "MAX_TREE_SIZE",
    "min_duplcheck_size": "MIN_DUPLCHECK_SIZE",
    "max_repetitions": "MAX_REPETITIONS",
}


class TrafilaturaExtractor(HTMLExtractorAlgorithm):
    """Extracts the main text with Trafilatura, then keeps lines with enough stop words.

    Trafilatura narrows the page to its content with XPath rules, scores candidate nodes by type,
    length and link density, falls back to readability and jusText when its own result looks
    wrong, and ends with a baseline pass. See https://trafilatura.readthedocs.io/en/latest/.

    Args:
        required_stopword_density: share of whitespace-split words that must be stop words for a
            line to be kept (not applied to non-space-separated languages).
        min_extracted_size: characters below which Trafilatura tries its fallbacks.
        min_extracted_comm_size: the same for comments.
        min_output_size: characters below which the main text is discarded.
        min_output_comm_size: the same for comments.
        max_tree_size: pages with more elements are discarded; ``None`` leaves Trafilatura's default.
        min_duplcheck_size: segments shorter than this are not checked for repetition.
        max_repetitions: how often a segment may repeat before it is dropped.
        **extract_kwargs: further keyword arguments of ``trafilatura.extract``; ``deduplicate``
            defaults to ``True``. Trafilatura's duplicate cache is per process, so with it a segment
            seen on earlier pages of the same worker is dropped, as in NeMo Curator.
    """

    def __init__(
        self,
        required_stopword_density: float = 0.32,
        min_extracted_size: int = 250,
        min_extracted_comm_size: int = 1,
        min_output_size: int = 1,
        min_output_comm_size: int = 1,
        max_tree_size: int | None = None,
        min_duplcheck_size: int = 100,
        max_repetitions: int = 2,
        **extract_kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        check_fraction(owner, "required_stopword_density", required_stopword_density)
        settings = {
            "min_extracted_size": min_extracted_size,
            "min_extracted_comm_size": min_extracted_comm_size,
            "min_output_size": min_output_size,
            "min_output_comm_size": min_output_comm_size,
            "max_tree_size": max_tree_size,
            "min_duplcheck_size": min_duplcheck_size,
            "max_repetitions": max_repetitions,
        }
        for name, value in settings.items():
            check_count(owner, name, value, allow_none=name == "max_tree_size")
        _check_extract_kwargs(owner, extract_kwargs)
        self.required_stopword_density = required_stopword_density
        self.min_extracted_size = min_extracted_size
        self.min_extracted_comm_size = min_extracted_comm_size
        self.min_output_size = min_output_size
        self.min_output_comm_size = min_output_comm_size
        self.max_tree_size = max_tree_size
        self.min_duplcheck_size = min_duplcheck_size
        self.max_repetitions = max_repetitions
        self.extract_kwargs = {"deduplicate": True, **extract_kwargs}
        self._config: Any = None  # built on first use on the worker; not pickled

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_config"] = None
        return state

    def _trafilatura_config(self) -> Any:
        if self._config is None:
            from copy import deepcopy

            from trafilatura.settings import DEFAULT_CONFIG

            config = deepcopy(DEFAULT_CONFIG)
            for name, key in _CONFIG_KEYS.items():
                value = getattr(self, name)
                if name == "max_tree_size" and not value:  # None (or 0) keeps Trafilatura's default
                    continue
                config["DEFAULT"][key] = str(value)
            self._config = config
        return self._config

    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None:
        """Return the kept lines of the page's main text, or ``None`` when none are kept."""
        from trafilatura import extract

        text = extract(html, config=self._trafilatura_config(), **self.extract_kwargs)
        if text is None:
            return None
        kept = self._filter_by_stopword_density(text.split("\n"), stop_words, language, self.required_stopword_density)
        return kept or None


def _check_extract_kwargs(owner: str, extract_kwargs: dict[str, Any]) -> None:
    """Refuse keywords ``trafilatura.extract`` does not take, before any page is processed."""
    if not extract_kwargs:
        return
    if "config" in extract_kwargs:
        msg = (
            f"{owner}: config= is built from the extractor's own parameters. "
            f"Fix: pass min_extracted_size=, max_repetitions= and the others instead of a config."
        )
        raise ConfigError(msg)
    from trafilatura import extract

    allowed = set(inspect.signature(extract).parameters) - {"filecontent", "config"}
    unknown = sorted(set(extract_kwargs) - allowed)
    if unknown:
        msg = (
            f"{owner}: trafilatura.extract takes no keyword {', '.join(unknown)}. "
            f"Allowed: {', '.join(sorted(allowed))}. Fix: remove or rename it."
        )
        raise ConfigError(msg)
