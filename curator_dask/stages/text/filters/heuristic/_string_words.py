"""Word-level string filters of NeMo Curator (``heuristic/string.py``), vectorised per batch.

Words are ``text.split()``. The batch paths split the whole column once (shared through the batch
cache), decide per distinct word, and sum per document. A filter built for Chinese or Japanese
(``lang="zh"``/``"ja"``) splits with jieba/MeCab and is scored document by document.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator_dask.stages.text.filters.heuristic._base import BoundedFilter, per_doc_sum, ratio
from curator_dask.stages.text.filters.heuristic._batch import FlatTokens, text_column
from curator_dask.stages.text.filters.heuristic._constants import COMMON_ENGLISH_WORDS, ELLIPSIS_MARKS, REGEX_HASH
from curator_dask.stages.text.filters.heuristic._text_utils import get_word_splitter, is_default_splitter
from curator_dask.stages.text.filters.heuristic._unicode_alpha import has_alphabetic

__all__ = [
    "CommonEnglishWordsFilter",
    "LongWordFilter",
    "MeanWordLengthFilter",
    "SymbolsToWordsFilter",
    "WordCountFilter",
    "WordsWithoutAlphabetsFilter",
]

_NAN = float("nan")


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
    return word in ELLIPSIS_MARKS or len(REGEX_HASH.findall(word)) / len(word) > 0.5


class SymbolsToWordsFilter(_WordFilter):
    """Drops documents where too many words are ellipses or mostly '#' runs (Gopher)."""

    def __init__(self, max_symbol_to_word_ratio: float = 0.1, lang: str = "en") -> None:
        super().__init__(lang)
        self._max = max_symbol_to_word_ratio
        self._name = "symbol_to_word"

    def _score_words(self, words: list[str]) -> float:
        return sum(1 for w in words if _is_symbol_word(w.strip())) / len(words) if words else _NAN

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        vocab = words.vocab
        symbol = pc.is_in(vocab, value_set=pa.array(sorted(ELLIPSIS_MARKS), pa.large_string()))
        symbol = symbol.to_numpy(zero_copy_only=False).astype(np.float64)
        hashed = np.flatnonzero(pc.match_substring(vocab, "#").to_numpy(zero_copy_only=False))
        symbol[hashed] = [_is_symbol_word(w) for w in vocab.take(hashed).to_pylist()]
        return ratio(per_doc_sum(words, symbol[words.ids]), words.counts(), _NAN)


class LongWordFilter(_WordFilter):
    """Drops documents with a word longer than ``max_word_length`` characters (C4); score: longest word."""

    def __init__(self, max_word_length: int = 1000, lang: str = "en") -> None:
        super().__init__(lang)
        self._max = max_word_length
        self._max_word_length = max_word_length
        self._name = "max_word_length"

    def _score_words(self, words: list[str]) -> float:
        return max(len(w) for w in words) if words else _NAN

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        out = np.full(words.n_docs, _NAN)
        if len(words.doc):
            starts = np.flatnonzero(np.r_[True, words.doc[1:] != words.doc[:-1]])
            out[words.doc[starts]] = np.maximum.reduceat(words.lens, starts)
        return out


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
        return sum(lens) / len(lens) if lens else _NAN

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        return ratio(per_doc_sum(words, words.lens), words.counts(), _NAN)


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
            if word in COMMON_ENGLISH_WORDS:
                count += 1
            if self._stop_at_false and count >= self._cutoff:
                return count
        return count

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self._stop_at_false and self._cutoff <= 0:  # stops at the first word: not worth vectorising
            return BoundedFilter.score_batch(self, texts)
        return super().score_batch(texts)

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        common = pc.is_in(words.vocab, value_set=pa.array(sorted(COMMON_ENGLISH_WORDS), pa.large_string()))
        common = common.to_numpy(zero_copy_only=False).astype(np.int64)
        counts = np.bincount(words.doc, weights=common[words.ids], minlength=words.n_docs).astype(np.int64)
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
        return sum(1 for w in words if has_alphabetic(w)) / len(words) if words else _NAN

    def _score_tokens(self, words: FlatTokens) -> np.ndarray:
        vocab = words.vocab
        alpha = pc.match_substring_regex(vocab, "[A-Za-z]").to_numpy(zero_copy_only=False).astype(np.float64)
        other = np.flatnonzero(~pc.string_is_ascii(vocab).to_numpy(zero_copy_only=False))
        alpha[other] = [has_alphabetic(w) for w in vocab.take(other).to_pylist()]
        return ratio(per_doc_sum(words, alpha[words.ids]), words.counts(), _NAN)
