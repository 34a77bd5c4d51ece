"""NeMo Curator's string heuristic filters (``nemo_curator.stages.text.filters.heuristic.string``).

Every filter keeps NeMo Curator's name, arguments, and per-document score and decision
(``score_document`` / ``keep_document`` are NeMo's algorithms) and adds a vectorised batch path
(``score_batch``) over the batch's shared ``TextColumn`` that gives the same scores. Most filters
are one of three kinds, each with a small base here:

* character ratios: counted characters over the document's length; 1.0 (dropped) when it is empty;
* line ratios: counted non-blank lines (``get_sentences``) over their number, counted per batch
  with one RE2 pass per pattern; NaN (dropped) when there are none;
* word scores: over ``text.split()``, split once per batch and decided per distinct word. A filter
  built for Chinese or Japanese (``lang="zh"``/``"ja"``) splits with jieba / MeCab instead and is
  scored document by document.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator_dask.stages.text.filters.doc_filter import BoundedFilter
from curator_dask.stages.text.utils import constants as c
from curator_dask.stages.text.utils.text_column import FlatTokens, TextColumn, max_per_doc, ratio, text_column
from curator_dask.stages.text.utils.text_utils import (
    get_paragraphs,
    get_sentences,
    get_word_splitter,
    has_alphabetic,
    is_default_splitter,
)

__all__ = [
    "BoilerPlateStringFilter",
    "BulletsFilter",
    "CommonEnglishWordsFilter",
    "EllipsisFilter",
    "LongWordFilter",
    "MeanWordLengthFilter",
    "NonAlphaNumericFilter",
    "NumbersFilter",
    "ParenthesesFilter",
    "PornographicUrlsFilter",
    "PunctuationFilter",
    "SubstringFilter",
    "SymbolsToWordsFilter",
    "UrlsFilter",
    "WhiteSpaceFilter",
    "WordCountFilter",
    "WordsWithoutAlphabetsFilter",
]


def _byte_table(chars: str | frozenset[str]) -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    table[[ord(ch) for ch in chars]] = 1  # all ASCII: one UTF-8 byte each, never inside a multi-byte char
    return table


_ALNUM_TABLE = _byte_table(c.ALPHANUMERIC_CHARS)
_DIGIT_TABLE = _byte_table(c.DIGIT_CHARS)
_WHITE_SPACE_TABLE = _byte_table(c.white_space_list)
_ELLIPSIS_MARKS = tuple(c.ellipsis_marks)


def _url_pattern(url_regex: re.Pattern | str | None) -> re.Pattern:
    return re.compile(url_regex) if isinstance(url_regex, str) else (url_regex or c.regex_url)


# -- character ratios ------------------------------------------------------------------------------
class _CharRatioFilter(BoundedFilter):
    """Drops documents where the share of characters ``_count`` counts exceeds the cutoff."""

    def __init__(self, cutoff: float, name: str) -> None:
        super().__init__()
        self._max = cutoff
        self._name = name

    def _count(self, text: str) -> int:
        raise NotImplementedError

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        raise NotImplementedError

    def score_document(self, text: str) -> float:
        nchar = len(text)
        return self._count(text) / nchar if nchar > 0 else 1.0

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        return self._series(ratio(self._count_batch(col), col.nchar(), 1.0), texts)


class NonAlphaNumericFilter(_CharRatioFilter):
    """Drops documents whose share of characters outside ``[a-zA-Z0-9\\n?!,.]`` exceeds the cutoff (Gopher)."""

    def __init__(self, max_non_alpha_numeric_to_text_ratio: float = 0.25) -> None:
        super().__init__(max_non_alpha_numeric_to_text_ratio, "alpha_numeric")

    def _count(self, text: str) -> int:
        return len(text) - len(c.regex_alphanum.findall(text))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.nchar() - col.count_bytes(_ALNUM_TABLE)


class NumbersFilter(_CharRatioFilter):
    """Drops documents whose share of digit characters exceeds the cutoff."""

    def __init__(self, max_number_to_text_ratio: float = 0.15) -> None:
        super().__init__(max_number_to_text_ratio, "numbers_ratio")

    def _count(self, text: str) -> int:
        return len(c.regex_digit.findall(text))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.count_bytes(_DIGIT_TABLE)


class UrlsFilter(_CharRatioFilter):
    """Drops documents whose share of characters inside URLs exceeds the cutoff.

    Args:
        max_url_to_text_ratio: the cutoff.
        url_regex: a compiled pattern or a string; None for NeMo Curator's default URL regex. Only
            the default is vectorised (RE2 reads it as Python does); others are applied per document.
    """

    def __init__(self, max_url_to_text_ratio: float = 0.2, url_regex: re.Pattern | str | None = None) -> None:
        super().__init__(max_url_to_text_ratio, "urls_ratio")
        self._url_regex = _url_pattern(url_regex)

    def _count(self, text: str) -> int:
        return sum(len(url) for url in self._url_regex.findall(text))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        stripped = pc.utf8_length(pc.replace_substring_regex(col.arrow, c.regex_url.pattern, "")).to_numpy()
        return col.nchar() - stripped

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self._url_regex.pattern != c.regex_url.pattern or self._url_regex.flags != c.regex_url.flags:
            return BoundedFilter.score_batch(self, texts)
        return super().score_batch(texts)


class WhiteSpaceFilter(_CharRatioFilter):
    """Drops documents whose share of ``\\t \\n \\r \\b`` and space characters exceeds the cutoff."""

    def __init__(self, max_white_space_ratio: float = 0.25) -> None:
        super().__init__(max_white_space_ratio, "white_space")

    def _count(self, text: str) -> int:
        return sum(1 for x in text if x in c.white_space_list)

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.count_bytes(_WHITE_SPACE_TABLE)


class ParenthesesFilter(_CharRatioFilter):
    """Drops documents whose share of bracket characters (``(){}[]⟨⟩``) exceeds the cutoff."""

    def __init__(self, max_parentheses_ratio: float = 0.1) -> None:
        super().__init__(max_parentheses_ratio, "parentheses_ratio")

    def _count(self, text: str) -> int:
        return len(c.regex_paren.findall(text))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.count_regex(c.PATTERN_PAREN)


# -- whole-document checks ------------------------------------------------------------------------
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
            if any(p in paragraph for p in c.policy_substrings):
                count += 1
        return count / len(paragraphs)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        col = text_column(texts)
        # A document without a (case-folded) match anywhere has no boilerplate paragraph: 0 / n.
        flagged = pc.match_substring_regex(col.arrow, c.PATTERN_BOILERPLATE, ignore_case=True)
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
        self._url_regex = _url_pattern(url_regex)

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


# -- line ratios -----------------------------------------------------------------------------------
class _LineRatioFilter(BoundedFilter):
    """Drops documents where the share of non-blank lines ``_count_lines`` counts exceeds the cutoff."""

    def __init__(self, cutoff: float, name: str) -> None:
        super().__init__()
        self._max = cutoff
        self._name = name

    def _count_lines(self, lines: list[str]) -> int:
        raise NotImplementedError

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        raise NotImplementedError

    def score_document(self, text: str) -> float:
        lines = self.sentences if self.sentences is not None else get_sentences(text)
        return self._count_lines(lines) / len(lines) if lines else math.nan

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self.sentences is not None:  # pre-set lines apply to every document: the loop honours them
            return super().score_batch(texts)
        col = text_column(texts)
        return self._series(ratio(self._count_batch(col), col.line_count(), math.nan), texts)


class BulletsFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines start with a bullet (Gopher)."""

    def __init__(self, max_bullet_lines_ratio: float = 0.9) -> None:
        super().__init__(max_bullet_lines_ratio, "bullet_ratio")

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if line.strip()[:1] in c.bullet_list)

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        first = pc.match_substring_regex(col.arrow, c.PATTERN_BULLET_FIRST_LINE).to_numpy(zero_copy_only=False)
        return col.count_regex(c.PATTERN_BULLET_NEXT_LINE) + first


class PunctuationFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines lack an end mark (C4)."""

    def __init__(self, max_num_sentences_without_endmark_ratio: float = 0.85) -> None:
        super().__init__(max_num_sentences_without_endmark_ratio, "punctuation")

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if not line.strip().endswith(c.end_marks))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.line_count() - col.count_regex(c.PATTERN_END_MARK_LINE)


class EllipsisFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines end with an ellipsis (C4)."""

    def __init__(self, max_num_lines_ending_with_ellipsis_ratio: float = 0.3) -> None:
        super().__init__(max_num_lines_ending_with_ellipsis_ratio, "ellipsis")

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if line.strip().lower().endswith(_ELLIPSIS_MARKS))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.count_regex(c.PATTERN_ELLIPSIS_LINE)


# -- word scores -----------------------------------------------------------------------------------
class _WordFilter(BoundedFilter):
    """A filter over a document's words; subclasses give ``_score_words`` and ``_score_tokens``."""

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self._word_splitter = get_word_splitter(lang)

    def _score_words(self, words: list[str]) -> float:
        raise NotImplementedError

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        raise NotImplementedError

    def score_document(self, text: str) -> float:
        return self._score_words(self._word_splitter(text.strip()))

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if not is_default_splitter(self._word_splitter):
            return super().score_batch(texts)
        return self._series(self._score_tokens(text_column(texts).words()), texts)


def _is_symbol_word(word: str) -> bool:
    return word in c.ellipsis_marks or len(c.regex_hash.findall(word)) / len(word) > 0.5


class SymbolsToWordsFilter(_WordFilter):
    """Drops documents where too many words are ellipses or mostly '#' runs (Gopher)."""

    def __init__(self, max_symbol_to_word_ratio: float = 0.1, lang: str = "en") -> None:
        super().__init__(lang)
        self._max = max_symbol_to_word_ratio
        self._name = "symbol_to_word"

    def _score_words(self, words: list[str]) -> float:
        return sum(1 for w in words if _is_symbol_word(w.strip())) / len(words) if words else math.nan

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        vocab = words.vocab
        symbol = pc.is_in(vocab, value_set=pa.array(sorted(c.ellipsis_marks), pa.large_string()))
        symbol = symbol.to_numpy(zero_copy_only=False).astype(np.float64)
        hashed = np.flatnonzero(pc.match_substring(vocab, "#").to_numpy(zero_copy_only=False))
        symbol[hashed] = [_is_symbol_word(w) for w in vocab.take(hashed).to_pylist()]
        return ratio(words.sum_per_doc(symbol[words.ids]), words.counts(), math.nan)


class LongWordFilter(_WordFilter):
    """Drops documents with a word longer than ``max_word_length`` characters (C4); score: longest word."""

    def __init__(self, max_word_length: int = 1000, lang: str = "en") -> None:
        super().__init__(lang)
        self._max = max_word_length
        self._max_word_length = max_word_length
        self._name = "max_word_length"

    def _score_words(self, words: list[str]) -> float:
        return max(len(w) for w in words) if words else math.nan

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        return max_per_doc(words.lens, words.doc, words.n_docs, empty=math.nan)


class WordCountFilter(_WordFilter):
    """Keeps documents with between ``min_words`` and ``max_words`` words."""

    def __init__(self, min_words: int = 50, max_words: int = 100000, lang: str = "en") -> None:
        super().__init__(lang)
        self._min, self._max = min_words, max_words
        self._min_words, self._max_words = min_words, max_words
        self._name = "word_count"

    def _score_words(self, words: list[str]) -> float:
        return len(words)

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        return words.counts()


class MeanWordLengthFilter(_WordFilter):
    """Keeps documents whose mean word length lies within ``[min_mean_word_length, max_mean_word_length]``."""

    def __init__(self, min_mean_word_length: int = 3, max_mean_word_length: int = 10, lang: str = "en") -> None:
        super().__init__(lang)
        self._min, self._max = min_mean_word_length, max_mean_word_length
        self._name = "mean_word_length"

    def _score_words(self, words: list[str]) -> float:
        lens = [len(w) for w in words if len(w) > 0]
        return sum(lens) / len(lens) if lens else math.nan

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        return ratio(words.sum_per_doc(words.lens), words.counts(), math.nan)


class CommonEnglishWordsFilter(_WordFilter):
    """Keeps documents with at least ``min_num_common_words`` lower-case common English words.

    With ``stop_at_false`` counting stops once the minimum is reached, so scores are capped there.
    """

    def __init__(self, min_num_common_words: int = 2, stop_at_false: bool = True) -> None:
        super().__init__("en")
        self._min = self._cutoff = min_num_common_words
        self._stop_at_false = stop_at_false
        self._name = "common_english_words"

    def _score_words(self, words: list[str]) -> float:
        count = 0
        for word in words:
            if word in c.common_english_words:
                count += 1
            if self._stop_at_false and count >= self._cutoff:
                return count
        return count

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self._stop_at_false and self._cutoff <= 0:  # stops at the first word: not worth vectorising
            return BoundedFilter.score_batch(self, texts)
        return super().score_batch(texts)

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        common = pc.is_in(words.vocab, value_set=pa.array(sorted(c.common_english_words), pa.large_string()))
        common = common.to_numpy(zero_copy_only=False).astype(np.int64)
        counts = words.sum_per_doc(common[words.ids]).astype(np.int64)
        return np.minimum(counts, math.ceil(self._cutoff)) if self._stop_at_false else counts


class WordsWithoutAlphabetsFilter(_WordFilter):
    """Keeps documents where at least ``min_words_with_alphabets`` of the words have a letter (Gopher).

    "Letter" is Unicode's ``Alphabetic`` property, as NeMo Curator's ``regex`` ``[[:alpha:]]``.
    """

    def __init__(self, min_words_with_alphabets: float = 0.8, lang: str = "en") -> None:
        super().__init__(lang)
        self._min = min_words_with_alphabets
        self._name = "words_without_alphabets"

    def _score_words(self, words: list[str]) -> float:
        return sum(1 for w in words if has_alphabetic(w)) / len(words) if words else math.nan

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        vocab = words.vocab
        alpha = pc.match_substring_regex(vocab, "[A-Za-z]").to_numpy(zero_copy_only=False).astype(np.float64)
        other = np.flatnonzero(~pc.string_is_ascii(vocab).to_numpy(zero_copy_only=False))
        alpha[other] = [has_alphabetic(w) for w in vocab.take(other).to_pylist()]
        return ratio(words.sum_per_doc(alpha[words.ids]), words.counts(), math.nan)
