"""NeMo Curator's repetition filters (Gopher, Rae et al. 2021), vectorised per batch.

Line and paragraph filters count distinct pieces per document over the batch's flattened pieces;
the n-gram filters use the integer n-gram ids of ``_ngrams``. Per-document methods are NeMo's
algorithms; where NeMo divides by zero the score is NaN and the document is dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curator_dask.stages.text.filters.heuristic._base import BoundedFilter, distinct_per_doc, ratio
from curator_dask.stages.text.filters.heuristic._batch import FlatTokens, TextColumn, text_column
from curator_dask.stages.text.filters.heuristic._ngrams import duplicate_ngram_chars, top_ngram_chars
from curator_dask.stages.text.filters.heuristic._text_utils import (
    get_ngrams,
    get_paragraphs,
    get_sentences,
    get_word_splitter,
    is_default_splitter,
)

__all__ = [
    "RepeatedLinesByCharFilter",
    "RepeatedLinesFilter",
    "RepeatedParagraphsByCharFilter",
    "RepeatedParagraphsFilter",
    "RepeatingDuplicateNGramsFilter",
    "RepeatingTopNGramsFilter",
]

_NAN = float("nan")


class _PiecesFilter(BoundedFilter):
    """Keeps documents whose share of distinct lines (or paragraphs), by count or by characters, is high."""

    _paragraph_based = False
    _by_char = False

    def __init__(self, cutoff: float, name: str) -> None:
        super().__init__()
        self._min = cutoff
        self._name = name

    def _pieces(self, text: str) -> list[str]:
        if self._paragraph_based:
            return self.paragraphs if self.paragraphs is not None else get_paragraphs(text)
        return self.sentences if self.sentences is not None else get_sentences(text)

    def score_document(self, text: str) -> float:
        pieces = self._pieces(text)
        if self._by_char:
            total = len("".join(pieces))
            return len("".join(set(pieces))) / total if total else _NAN
        return len(set(pieces)) / len(pieces) if pieces else _NAN

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self.paragraphs is not None or self.sentences is not None:
            return super().score_batch(texts)
        col = text_column(texts)
        pieces = col.paragraphs() if self._paragraph_based else col.lines()
        distinct, distinct_chars = distinct_per_doc(pieces)
        if self._by_char:
            return self._series(ratio(distinct_chars, np.bincount(pieces.doc, pieces.lens, pieces.n_docs), _NAN), texts)
        return self._series(ratio(distinct, pieces.counts(), _NAN), texts)


class RepeatedLinesFilter(_PiecesFilter):
    """Drops documents whose distinct non-blank lines are fewer than ``max_repeated_line_fraction`` of all."""

    def __init__(self, max_repeated_line_fraction: float = 0.7) -> None:
        super().__init__(max_repeated_line_fraction, "repeated_lines")


class RepeatedParagraphsFilter(_PiecesFilter):
    """Drops documents whose distinct paragraphs are fewer than ``max_repeated_paragraphs_ratio`` of all."""

    _paragraph_based = True

    def __init__(self, max_repeated_paragraphs_ratio: float = 0.7) -> None:
        super().__init__(max_repeated_paragraphs_ratio, "repeated_paragraphs")


class RepeatedLinesByCharFilter(_PiecesFilter):
    """Drops documents whose distinct lines hold less than ``max_repeated_lines_char_ratio`` of line characters."""

    _by_char = True

    def __init__(self, max_repeated_lines_char_ratio: float = 0.8) -> None:
        super().__init__(max_repeated_lines_char_ratio, "repeated_lines_char")


class RepeatedParagraphsByCharFilter(_PiecesFilter):
    """Drops documents whose distinct paragraphs hold less than the cutoff share of paragraph characters."""

    _paragraph_based = True
    _by_char = True

    def __init__(self, max_repeated_paragraphs_char_ratio: float = 0.8) -> None:
        super().__init__(max_repeated_paragraphs_char_ratio, "repeated_paragraphs_char")


class _NGramFilter(BoundedFilter):
    """A share of characters taken by repeated ``n``-grams; 1.0 for documents with fewer than ``n`` words."""

    def __init__(self, n: int, cutoff: float, lang: str, name: str) -> None:
        super().__init__()
        self._n = n
        self._max = cutoff
        self._max_ratio = 1.0
        self._word_splitter = get_word_splitter(lang)
        self._name = name

    def _ngrams_of(self, text: str) -> list[tuple[str, ...]] | None:
        if self.ngrams is not None:
            return self.ngrams
        words = self._word_splitter(text.strip())
        return None if len(words) < self._n else get_ngrams(words, self._n)

    def _batch_chars(self, col: TextColumn, words: FlatTokens, decisions_only: bool) -> np.ndarray:
        raise NotImplementedError

    def _vectorised(self) -> bool:
        return self._n >= 1 and self.ngrams is None and is_default_splitter(self._word_splitter)

    def _batch_scores(self, texts: pd.Series, decisions_only: bool) -> pd.Series:
        col = text_column(texts)
        words = col.words()
        scores = ratio(self._batch_chars(col, words, decisions_only), col.nchar(), 1.0)
        scores[words.counts() < self._n] = self._max_ratio
        return self._series(scores, texts)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        return self._batch_scores(texts, False) if self._vectorised() else super().score_batch(texts)

    def decide_batch(self, texts: pd.Series) -> pd.Series:
        return self.keep_batch(self._batch_scores(texts, True)) if self._vectorised() else super().decide_batch(texts)


class RepeatingTopNGramsFilter(_NGramFilter):
    """Drops documents where the most frequent ``n``-gram covers more than the cutoff share of characters."""

    def __init__(self, n: int = 2, max_repeating_ngram_ratio: float = 0.2, lang: str = "en") -> None:
        super().__init__(n, max_repeating_ngram_ratio, lang, f"repeating_top_{n}grams")

    def score_document(self, text: str) -> float:
        ngrams = self._ngrams_of(text)
        if ngrams is None:
            return self._max_ratio
        freq: dict[tuple[str, ...], int] = dict.fromkeys(set(ngrams), 0)  # NeMo's order: set iteration
        for ngram in ngrams:
            freq[ngram] += 1
        most: tuple[str, ...] = max(freq, key=freq.__getitem__)  # type: ignore[arg-type]
        top = " ".join(most)
        nchar = len(text)
        return (nchar - len(text.replace(top, ""))) / nchar if nchar > 0 else 1.0

    def _batch_chars(self, col: TextColumn, words: FlatTokens, decisions_only: bool) -> np.ndarray:
        return top_ngram_chars(col, self._n, settle_below=self._max if decisions_only else None)


class RepeatingDuplicateNGramsFilter(_NGramFilter):
    """Drops documents where repeated ``n``-grams cover more than the cutoff share of characters."""

    def __init__(self, n: int = 2, max_repeating_duplicate_ngram_ratio: float = 0.2, lang: str = "en") -> None:
        super().__init__(n, max_repeating_duplicate_ngram_ratio, lang, f"repeating_dup_{n}gram")

    def score_document(self, text: str) -> float:
        ngrams = self._ngrams_of(text)
        if ngrams is None:
            return self._max_ratio
        counts: dict[tuple[str, ...], int] = {}
        duplicated_nchar = overlapping = 0
        for ngram in ngrams:
            counts[ngram] = counts.get(ngram, 0) + 1
            if counts[ngram] > 1:
                # Characters of the words not counted yet, plus the spaces joining them.
                duplicated_nchar += sum(len(g) for g in ngram[overlapping:]) + min(self._n - overlapping, self._n - 1)
                overlapping = self._n
            overlapping = max(overlapping - 1, 0)
        nchar = len(text)
        return duplicated_nchar / nchar if nchar > 0 else 1.0

    def _batch_chars(self, col: TextColumn, words: FlatTokens, decisions_only: bool) -> np.ndarray:
        return duplicate_ngram_chars(words, self._n)
