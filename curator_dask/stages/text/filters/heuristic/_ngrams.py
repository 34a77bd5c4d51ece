"""Batch n-gram statistics behind NeMo Curator's repeating n-gram filters.

Both work on ``FlatTokens.ngram_ids(n)``: one integer per token position naming the n-gram that
starts there, so counting and duplicate detection are hash passes over integer arrays instead of
per-document dictionaries of string tuples.
"""

from __future__ import annotations

import numpy as np

from curator_dask.stages.text.filters.heuristic._batch import FlatTokens, TextColumn
from curator_dask.stages.text.filters.heuristic._text_utils import get_ngrams

__all__ = ["duplicate_ngram_chars", "top_ngram_chars"]

# Up to this many tied candidates, scoring each is cheaper than rebuilding NeMo's set to break the tie.
_FEW_CANDIDATES = 16


def _positions(words: FlatTokens, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start positions of the n-grams inside a document, their ids, and whether each is a first sighting."""
    ids = words.ngram_ids(n)
    positions = np.flatnonzero(ids >= 0)
    codes = ids[positions]
    # Ids are numbered in order of first appearance, so a first sighting is a new running maximum.
    first_seen = codes > np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else np.zeros(0, dtype=bool)
    return positions, codes, first_seen


def duplicate_ngram_chars(words: FlatTokens, n: int) -> np.ndarray:
    """Per document, NeMo's ``duplicated_nchar``: characters of words covered by repeated n-grams.

    NeMo walks the n-grams and, at each one already seen in the document, adds the characters of
    its words not yet counted plus the spaces joining them. That sums to: the lengths of all words
    covered by some repeated occurrence, plus ``min(gap to the previous repeat, n - 1)`` spaces per
    repeated occurrence (``n - 1`` for the first in a document).
    """
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


def top_ngram_chars(col: TextColumn, n: int, settle_below: float | None = None) -> np.ndarray:
    """Per document, the characters removed by deleting its most frequent n-gram (joined by spaces).

    NeMo picks the first most frequent n-gram in the iteration order of ``set(ngrams)``. When one
    n-gram is the most frequent it is found from integer counts; on a tie the same set is built
    from the document's words, so the choice (which depends on Python's string hashing) is NeMo's.
    Documents with fewer than ``n`` words get -1.

    With ``settle_below`` (for keep decisions only), a tied document whose every candidate provably
    removes at most that share of its characters (by ``_chars_bound``, or by scoring a few
    candidates) gets that bound instead of the exact count: under a ``<= settle_below`` cutoff it
    is kept whichever candidate NeMo picks, so the tie need not be broken.
    """
    words = col.words()
    out = np.full(len(col), -1, dtype=np.int64)
    positions, codes, first_seen = _positions(words, n)
    if len(positions) == 0:
        return out
    freq = np.bincount(codes)[codes]
    docs = words.doc[positions]
    doc_max = _max_per_doc(freq, docs, len(col))
    candidate = first_seen & (freq == doc_max[docs])
    cand_pos, cand_doc = positions[candidate], docs[candidate]
    n_cands = np.bincount(cand_doc, minlength=len(col))
    settled = np.zeros(len(col), dtype=bool)
    if settle_below is not None and n >= 3:
        bound = _max_per_doc(_chars_bound(words, cand_pos, n), cand_doc, len(col))
        tied = np.flatnonzero(n_cands > 1)  # documents with n words or more, so nchar > 0
        tied = tied[bound[tied] / col.nchar()[tied] <= settle_below]
        settled[tied], out[tied] = True, bound[tied]
    vocab, ids, texts = words.vocab_list(), words.ids, col.texts()
    few = _FEW_CANDIDATES if settle_below is not None else 1
    for i in np.flatnonzero(np.r_[True, cand_doc[1:] != cand_doc[:-1]]):
        doc = cand_doc[i]
        if settled[doc]:
            continue
        text, grams = texts[doc], cand_pos[i : i + n_cands[doc]]
        if len(grams) <= few:
            removed = [_removed(text, " ".join([vocab[k] for k in ids[p : p + n].tolist()])) for p in grams.tolist()]
            if len(removed) == 1 or (settle_below is not None and max(removed) / len(text) <= settle_below):
                out[doc] = max(removed)  # one candidate, or all keep the document: no tie to break
                continue
        wanted = None if doc_max[doc] == 1 else (grams - np.searchsorted(words.doc, doc)).tolist()
        # str.split() gives the document's words (the default splitter's), faster than the vocabulary.
        out[doc] = _removed(text, " ".join(_first_in_set_order(text.split(), wanted, n)))
    return out


def _removed(text: str, ngram: str) -> int:
    """Characters NeMo removes with ``text.replace(ngram, "")``."""
    return text.count(ngram) * len(ngram)


def _max_per_doc(values: np.ndarray, docs: np.ndarray, n_docs: int) -> np.ndarray:
    """Per document, the maximum of ``values`` over its entries (``docs`` sorted; 0 where none)."""
    out = np.zeros(n_docs, dtype=np.int64)
    if len(values):
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        out[docs[starts]] = np.maximum.reduceat(values, starts)
    return out


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


def _first_in_set_order(doc_words: list[str], wanted: list[int] | None, n: int) -> tuple[str, ...]:
    """The first of the n-grams starting at ``wanted`` (all when None) in ``set(ngrams)`` order."""
    ngrams = get_ngrams(doc_words, n)
    if wanted is None:
        return next(iter(set(ngrams)))
    candidates = {ngrams[p] for p in wanted}
    return next(t for t in set(ngrams) if t in candidates)
