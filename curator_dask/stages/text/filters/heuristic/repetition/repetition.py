"""NeMo Curator's repetition filters (``nemo_curator.stages.text.filters.heuristic.repetition``).

Gopher's checks (Rae et al. 2021): repeated lines and paragraphs, by count or by characters, and
the share of characters in the most frequent or in repeated n-grams. Per-document methods are
NeMo's algorithms; where NeMo divides by zero the score is NaN and the document is dropped. The
batch paths count distinct pieces over the batch's flattened lines or paragraphs, and n-grams by
``FlatTokens.ngram_ids(n)`` (an integer per word position naming the n-gram that starts there),
so counting is hash passes over integer arrays instead of dictionaries of string tuples.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from curator_dask.stages.text.filters.doc_filter import BoundedFilter
from curator_dask.stages.text.utils.ngram_ids import kernels
from curator_dask.stages.text.utils.text_column import FlatTokens, TextColumn, max_per_doc, ratio, text_column
from curator_dask.stages.text.utils.text_utils import (
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
            return len("".join(set(pieces))) / total if total else math.nan
        return len(set(pieces)) / len(pieces) if pieces else math.nan

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self.paragraphs is not None or self.sentences is not None:
            return super().score_batch(texts)
        col = text_column(texts)
        pieces = col.paragraphs() if self._paragraph_based else col.lines()
        distinct, distinct_chars = pieces.distinct_per_doc()
        if self._by_char:
            return self._series(ratio(distinct_chars, pieces.sum_per_doc(pieces.lens), math.nan), texts)
        return self._series(ratio(distinct, pieces.counts(), math.nan), texts)


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

    def _ngram_chars(self, text: str, ngrams: list[tuple[str, ...]]) -> int:
        raise NotImplementedError

    def _batch_chars(self, col: TextColumn, decisions_only: bool) -> np.ndarray:
        raise NotImplementedError

    def score_document(self, text: str) -> float:
        if self.ngrams is not None:
            ngrams = self.ngrams
        else:
            words = self._word_splitter(text.strip())
            if len(words) < self._n:
                return self._max_ratio
            ngrams = get_ngrams(words, self._n)
        chars = self._ngram_chars(text, ngrams)
        nchar = len(text)
        return chars / nchar if nchar > 0 else 1.0

    def _vectorised(self) -> bool:  # the batch path numbers whitespace words: n >= 1, nothing pre-set
        return self._n >= 1 and self.ngrams is None and is_default_splitter(self._word_splitter)

    def _batch_scores(self, texts: pd.Series, decisions_only: bool) -> pd.Series:
        col = text_column(texts)
        scores = ratio(self._batch_chars(col, decisions_only), col.nchar(), 1.0)
        scores[col.words().counts() < self._n] = self._max_ratio
        return self._series(scores, texts)

    def score_batch(self, texts: pd.Series) -> pd.Series:
        return self._batch_scores(texts, False) if self._vectorised() else super().score_batch(texts)

    def decide_batch(self, texts: pd.Series) -> pd.Series:
        return self.keep_batch(self._batch_scores(texts, True)) if self._vectorised() else super().decide_batch(texts)


class RepeatingTopNGramsFilter(_NGramFilter):
    """Drops documents where the most frequent ``n``-gram covers more than the cutoff share of characters."""

    def __init__(self, n: int = 2, max_repeating_ngram_ratio: float = 0.2, lang: str = "en") -> None:
        super().__init__(n, max_repeating_ngram_ratio, lang, f"repeating_top_{n}grams")

    def _ngram_chars(self, text: str, ngrams: list[tuple[str, ...]]) -> int:
        # NeMo takes the first most frequent n-gram in set(ngrams) order, which follows the
        # process's string hash seed: two workers (or two runs) could score one text differently.
        # A dict counts in order of first appearance, and max() keeps the first maximum: of the
        # n-grams NeMo may pick, always the one that appears first in the document.
        freq: dict[tuple[str, ...], int] = {}
        for ngram in ngrams:
            freq[ngram] = freq.get(ngram, 0) + 1
        most: tuple[str, ...] = max(freq, key=freq.__getitem__)  # type: ignore[arg-type]
        return len(text) - len(text.replace(" ".join(most), ""))

    def _batch_chars(self, col: TextColumn, decisions_only: bool) -> np.ndarray:
        return top_ngram_chars(col, self._n, settle_below=self._max if decisions_only else None)


class RepeatingDuplicateNGramsFilter(_NGramFilter):
    """Drops documents where repeated ``n``-grams cover more than the cutoff share of characters."""

    def __init__(self, n: int = 2, max_repeating_duplicate_ngram_ratio: float = 0.2, lang: str = "en") -> None:
        super().__init__(n, max_repeating_duplicate_ngram_ratio, lang, f"repeating_dup_{n}gram")

    def _ngram_chars(self, text: str, ngrams: list[tuple[str, ...]]) -> int:
        counts: dict[tuple[str, ...], int] = {}
        duplicated_nchar = overlapping = 0
        for ngram in ngrams:
            counts[ngram] = counts.get(ngram, 0) + 1
            if counts[ngram] > 1:
                # Characters of the words not counted yet, plus the spaces joining them.
                duplicated_nchar += sum(len(g) for g in ngram[overlapping:]) + min(self._n - overlapping, self._n - 1)
                overlapping = self._n
            overlapping = max(overlapping - 1, 0)
        return duplicated_nchar

    def _batch_chars(self, col: TextColumn, decisions_only: bool) -> np.ndarray:
        return duplicate_ngram_chars(col.words(), self._n)


# -- batch n-gram statistics ---------------------------------------------------------------------
def _positions(words: FlatTokens, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start positions of the n-grams inside a document, their ids, and whether each is a first sighting."""
    ids = words.ngram_ids(n)
    positions = np.flatnonzero(ids >= 0)
    codes = ids[positions]
    # Ids are numbered in order of first appearance, so a first sighting is a new running maximum.
    first_seen = codes > np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else np.zeros(0, dtype=bool)
    return positions, codes, first_seen


def duplicate_ngram_chars(words: FlatTokens, n: int, compiled: bool = True) -> np.ndarray:
    """Per document, NeMo's ``duplicated_nchar``: characters of words covered by repeated n-grams.

    ``compiled``: NeMo's walk itself, compiled (``_text_kernels``), where numba can be imported;
    otherwise (and in the tests that compare the two) the array code below.

    NeMo walks the n-grams and, at each one already seen in the document, adds the characters of
    its words not yet counted plus the spaces joining them. That sums to: the lengths of all words
    covered by some repeated occurrence, plus ``min(gap to the previous repeat, n - 1)`` spaces per
    repeated occurrence (``n - 1`` for the first in a document).
    """
    compiled_kernels = kernels() if compiled else None
    if compiled_kernels is not None:
        return compiled_kernels.duplicate_chars(words.ngram_ids(n), words.lens, words.doc, n, words.n_docs)
    positions, _, first_seen = _positions(words, n)
    repeats = positions[~first_seen]
    total = np.zeros(words.n_docs, dtype=np.float64)
    if len(repeats) == 0:
        return total
    size = len(words.doc)
    # A repeat at p covers words p..p+n-1 (inside its document); a difference array marks the union.
    edges = np.bincount(repeats, minlength=size + 1) - np.bincount(repeats + n, minlength=size + 1)
    covered = np.cumsum(edges[:size]) > 0
    total += np.bincount(words.doc[covered], weights=words.lens[covered], minlength=words.n_docs)
    docs = words.doc[repeats]
    spaces = np.full(len(repeats), n - 1, dtype=np.int64)
    same_doc = docs[1:] == docs[:-1]
    spaces[1:][same_doc] = np.minimum(np.diff(repeats)[same_doc], n - 1)
    total += np.bincount(docs, weights=spaces, minlength=words.n_docs)
    return total


def top_ngram_chars(col: TextColumn, n: int, settle_below: float | None = None, compiled: bool = True) -> np.ndarray:
    """Per document, the characters removed by deleting its most frequent n-gram (joined by spaces).

    Of several equally frequent n-grams, the one that appears first in the document is taken (as
    ``RepeatingTopNGramsFilter._ngram_chars``; NeMo's pick follows the string hash seed). Fewer
    than ``n`` words: -1.

    With ``settle_below`` (keep decisions only), a document whose pick provably removes at most
    that share of its characters (``_chars_bound``) gets that bound instead: a ``<= settle_below``
    cutoff keeps it all the same, and its text is never searched. ``compiled`` as for
    ``duplicate_ngram_chars``.
    """
    words = col.words()
    out = np.full(len(col), -1, dtype=np.int64)
    pick_pos, pick_doc = _top_picks(words, n, compiled)
    todo = np.ones(len(pick_pos), dtype=bool)
    if settle_below is not None and n >= 3:
        bound = _chars_bound(words, pick_pos, n)
        todo = bound / col.nchar()[pick_doc] > settle_below  # documents with n words or more: nchar > 0
        out[pick_doc[~todo]] = bound[~todo]
    vocab, ids, texts = words.vocab_list(), words.ids, col.texts()
    for p, doc in zip(pick_pos[todo].tolist(), pick_doc[todo].tolist(), strict=True):
        out[doc] = _removed(texts[doc], " ".join([vocab[k] for k in ids[p : p + n].tolist()]))
    return out


def _top_picks(words: FlatTokens, n: int, compiled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Word position of each document's pick (its first most frequent n-gram), and the document."""
    compiled_kernels = kernels() if compiled else None
    if compiled_kernels is not None:
        pick = compiled_kernels.top_positions(words.ngram_ids(n), words.doc, words.n_docs)
        found = np.flatnonzero(pick >= 0)
        return pick[found], found
    positions, codes, first_seen = _positions(words, n)
    if len(positions) == 0:
        return positions, positions
    freq = np.bincount(codes)[codes]
    docs = words.doc[positions]
    doc_max = max_per_doc(freq, docs, words.n_docs)
    candidate = np.flatnonzero(first_seen & (freq == doc_max[docs]))
    # Positions are in document order: each document's first candidate is its pick.
    pick = candidate[np.r_[True, docs[candidate][1:] != docs[candidate][:-1]]]
    return positions[pick], docs[pick]


def _removed(text: str, ngram: str) -> int:
    """Characters NeMo removes with ``text.replace(ngram, "")``."""
    return text.count(ngram) * len(ngram)


def _chars_bound(words: FlatTokens, cand_pos: np.ndarray, n: int) -> np.ndarray:
    """For the n-grams (``n >= 3``) at ``cand_pos``, an upper bound on ``text.count(g) * len(g)``.

    In the text, "w1 w2 ... wn" holds w2 ... w(n-1) as whole words (spaces on both sides), right
    after the word that ends with w1; two occurrences that do not overlap end w1 in different
    words. So ``text.count(g)`` is at most the frequency of the (n-2)-gram w2 ... w(n-1) in the
    document's words, and ``len(g)`` is the words' lengths plus ``n - 1`` spaces.
    """
    middle = words.ngram_ids(n - 2)
    middle_freq = np.bincount(middle[middle >= 0])
    cum_lens = np.concatenate(([0], np.cumsum(words.lens)))
    length = cum_lens[cand_pos + n] - cum_lens[cand_pos] + (n - 1)
    return middle_freq[middle[cand_pos + 1]] * length
