"""Character-level string filters of NeMo Curator (``heuristic/string.py``), vectorised per batch."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from curator_dask.stages.text.filters.heuristic._base import BoundedFilter, ratio
from curator_dask.stages.text.filters.heuristic._batch import text_column
from curator_dask.stages.text.filters.heuristic._constants import (
    ALPHANUMERIC_CHARS,
    DIGIT_CHARS,
    PATTERN_BOILERPLATE,
    POLICY_SUBSTRINGS,
    REGEX_ALPHANUMERIC,
    REGEX_DIGIT,
    REGEX_PAREN,
    REGEX_URL,
    WHITE_SPACE_CHARS,
)
from curator_dask.stages.text.filters.heuristic._text_utils import get_paragraphs

__all__ = [
    "BoilerPlateStringFilter",
    "NonAlphaNumericFilter",
    "NumbersFilter",
    "ParenthesesFilter",
    "PornographicUrlsFilter",
    "SubstringFilter",
    "UrlsFilter",
    "WhiteSpaceFilter",
]


def _byte_table(chars: str | frozenset[str]) -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    table[[ord(c) for c in chars]] = 1  # all ASCII: one UTF-8 byte each, never inside a multi-byte char
    return table


_ALNUM_TABLE = _byte_table(ALPHANUMERIC_CHARS)
_DIGIT_TABLE = _byte_table(DIGIT_CHARS)
_WHITE_SPACE_TABLE = _byte_table(WHITE_SPACE_CHARS)
_PAREN_CLASS = "[{}⟨⟩\\[\\]()]"


class NonAlphaNumericFilter(BoundedFilter):
    """Drops documents whose share of characters outside ``[a-zA-Z0-9\\n?!,.]`` exceeds the cutoff (Gopher)."""

    def __init__(self, max_non_alpha_numeric_to_text_ratio: float = 0.25) -> None:
        super().__init__()
        self._max = max_non_alpha_numeric_to_text_ratio
        self._name = "alpha_numeric"

    def score_document(self, text: str) -> float:
        nchar = len(text)
        return (nchar - len(REGEX_ALPHANUMERIC.findall(text))) / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        nchar = col.nchar()
        return self._series(ratio(nchar - col.count_bytes(_ALNUM_TABLE), nchar, 1.0), texts)


class NumbersFilter(BoundedFilter):
    """Drops documents whose share of digit characters exceeds the cutoff."""

    def __init__(self, max_number_to_text_ratio: float = 0.15) -> None:
        super().__init__()
        self._max = max_number_to_text_ratio
        self._name = "numbers_ratio"

    def score_document(self, text: str) -> float:
        nchar = len(text)
        return len(REGEX_DIGIT.findall(text)) / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        return self._series(ratio(col.count_bytes(_DIGIT_TABLE), col.nchar(), 1.0), texts)


class UrlsFilter(BoundedFilter):
    """Drops documents whose share of characters inside URLs exceeds the cutoff.

    Args:
        max_url_to_text_ratio: the cutoff.
        url_regex: a compiled pattern or a string; None for NeMo Curator's default URL regex. Only
            the default is vectorised (RE2 reads it as Python does); others are applied per document.
    """

    def __init__(self, max_url_to_text_ratio: float = 0.2, url_regex: re.Pattern | str | None = None) -> None:
        super().__init__()
        self._max = max_url_to_text_ratio
        self._name = "urls_ratio"
        self._url_regex = re.compile(url_regex) if isinstance(url_regex, str) else (url_regex or REGEX_URL)

    def score_document(self, text: str) -> float:
        url_chars = sum(len(url) for url in self._url_regex.findall(text))
        nchar = len(text)
        return url_chars / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self._url_regex.pattern != REGEX_URL.pattern or self._url_regex.flags != REGEX_URL.flags:
            return super().score_batch(texts)
        col = text_column(texts)
        nchar = col.nchar()
        stripped = pc.utf8_length(pc.replace_substring_regex(col.arrow, REGEX_URL.pattern, "")).to_numpy()
        return self._series(ratio(nchar - stripped, nchar, 1.0), texts)


class WhiteSpaceFilter(BoundedFilter):
    """Drops documents whose share of ``\\t \\n \\r \\b`` and space characters exceeds the cutoff."""

    def __init__(self, max_white_space_ratio: float = 0.25) -> None:
        super().__init__()
        self._max = max_white_space_ratio
        self._name = "white_space"

    def score_document(self, text: str) -> float:
        nchar = len(text)
        return sum(1 for x in text if x in WHITE_SPACE_CHARS) / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        return self._series(ratio(col.count_bytes(_WHITE_SPACE_TABLE), col.nchar(), 1.0), texts)


class ParenthesesFilter(BoundedFilter):
    """Drops documents whose share of bracket characters (``(){}[]⟨⟩``) exceeds the cutoff."""

    def __init__(self, max_parentheses_ratio: float = 0.1) -> None:
        super().__init__()
        self._max = max_parentheses_ratio
        self._name = "parentheses_ratio"

    def score_document(self, text: str) -> float:
        nchar = len(text)
        return len(REGEX_PAREN.findall(text)) / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        return self._series(ratio(col.count_regex(_PAREN_CLASS), col.nchar(), 1.0), texts)


class BoilerPlateStringFilter(BoundedFilter):
    """Drops documents where too many paragraphs hold boilerplate ("terms of use", cookie notices...).

    Any "lorem ipsum" scores 1.0. ``remove_if_at_top_or_bottom`` is accepted and unused, as in
    NeMo Curator. Only documents a case-insensitive prefilter flags are scored paragraph by paragraph.
    """

    def __init__(self, remove_if_at_top_or_bottom: bool = True, max_boilerplate_string_ratio: float = 0.4) -> None:
        super().__init__()
        self._remove_if_at_top_or_bottom = remove_if_at_top_or_bottom
        self._max = max_boilerplate_string_ratio
        self._max_ratio = 1.0
        self._name = "boilerplate_string_ratio"

    def score_document(self, text: str) -> float:
        paragraphs = get_paragraphs(text)
        count = 0
        for each in paragraphs:
            paragraph = each.strip().lower()
            if "lorem ipsum" in paragraph:
                return self._max_ratio
            if any(p in paragraph for p in POLICY_SUBSTRINGS):
                count += 1
        return count / len(paragraphs)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        # A document without a (case-folded) match anywhere has no boilerplate paragraph: 0 / n.
        flagged = pc.match_substring_regex(col.arrow, PATTERN_BOILERPLATE, ignore_case=True)
        flagged = flagged.to_numpy(zero_copy_only=False)
        scores = np.zeros(len(col), dtype=np.float64)
        rows = np.flatnonzero(flagged)
        scores[rows] = [self.score_document(t) for t in col.arrow.take(rows).to_pylist()]
        return self._series(scores, texts)


class PornographicUrlsFilter(BoundedFilter):
    """Drops documents with a URL containing "porn" (score 1; others score 0).

    Args:
        url_regex: a compiled pattern or a string; None for NeMo Curator's default URL regex.
    """

    def __init__(self, url_regex: re.Pattern | str | None = None) -> None:
        super().__init__()
        self._url_regex = re.compile(url_regex) if isinstance(url_regex, str) else (url_regex or REGEX_URL)

    def score_document(self, text: str) -> int:
        return int(any("porn" in url for url in self._url_regex.findall(text)))

    def keep_document(self, score: float) -> bool:
        return score != 1

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        return pd.Series(scores.to_numpy() != 1, index=scores.index, dtype=bool)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        # Only a document containing "porn" can have such a URL; check those one by one.
        flagged = pc.match_substring(col.arrow, "porn").to_numpy(zero_copy_only=False)
        scores = np.zeros(len(col), dtype=np.int64)
        rows = np.flatnonzero(flagged)
        scores[rows] = [self.score_document(t) for t in col.arrow.take(rows).to_pylist()]
        return self._series(scores, texts)


class SubstringFilter(BoundedFilter):
    """Keeps documents that contain ``substring`` at ``position`` ("prefix", "suffix" or "any"); score 1 or 0."""

    def __init__(self, substring: str, position: Literal["prefix", "suffix", "any"]) -> None:
        super().__init__()
        if position not in ("prefix", "suffix", "any"):
            msg = f"Invalid position: {position}. Must be one of: prefix, suffix, any."
            raise ValueError(msg)
        self._substring = substring
        self._position = position

    def score_document(self, text: str) -> int:
        if self._position == "prefix":
            return int(text.startswith(self._substring))
        if self._position == "suffix":
            return int(text.endswith(self._substring))
        return int(self._substring in text)

    def keep_document(self, score: float) -> bool:
        return score == 1

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        return pd.Series(scores.to_numpy() == 1, index=scores.index, dtype=bool)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        arrow = text_column(texts).arrow
        kernel = {"prefix": pc.starts_with, "suffix": pc.ends_with, "any": pc.match_substring}[self._position]
        found = kernel(arrow, pattern=self._substring).to_numpy(zero_copy_only=False)
        return self._series(found.astype(np.int64), texts)
