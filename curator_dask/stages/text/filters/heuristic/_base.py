"""Shared machinery of the heuristic filters: bounds-based keep decisions and per-document sums."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curator_dask.stages.text.filters.doc_filter import DocumentFilter
from curator_dask.stages.text.filters.heuristic._batch import FlatTokens

__all__ = ["BoundedFilter", "distinct_per_doc", "per_doc_sum", "ratio"]


class BoundedFilter(DocumentFilter):
    """A filter that keeps a document when its score lies within ``[_min, _max]`` (None: unbounded).

    Where NeMo Curator's code divides by zero (a document with no words or no lines where the score
    needs them) the score here is NaN, which no bound accepts, so such documents are dropped
    instead of failing the whole batch.
    """

    _min: float | None = None
    _max: float | None = None

    def keep_document(self, score: float) -> bool:
        return (self._min is None or score >= self._min) and (self._max is None or score <= self._max)

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        values = scores.to_numpy(dtype=np.float64, na_value=np.nan)
        keep = np.ones(len(values), dtype=bool)
        if self._min is not None:
            keep &= values >= self._min
        if self._max is not None:
            keep &= values <= self._max
        return pd.Series(keep, index=scores.index, dtype=bool)

    def _series(self, values: np.ndarray, texts: pd.Series) -> pd.Series:
        return pd.Series(values, index=texts.index, name=self.name)


def ratio(numerator: np.ndarray, denominator: np.ndarray, when_zero: float) -> np.ndarray:
    """``numerator / denominator`` per document (IEEE division, as Python's), ``when_zero`` where 0."""
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(len(den), when_zero, dtype=np.float64)
    np.divide(np.asarray(numerator, dtype=np.float64), den, out=out, where=den != 0)
    return out


def per_doc_sum(tokens: FlatTokens, weights: np.ndarray) -> np.ndarray:
    """Per document, the sum of ``weights`` over its tokens (exact for integer weights below 2**53)."""
    return np.bincount(tokens.doc, weights=weights, minlength=tokens.n_docs)


def distinct_per_doc(tokens: FlatTokens) -> tuple[np.ndarray, np.ndarray]:
    """Per document, the number of distinct tokens and their total length in code points."""
    width = len(tokens.vocab) + 1
    unique = np.unique(tokens.doc * width + tokens.ids)
    docs, ids = np.divmod(unique, width)
    id_lens = np.zeros(width, dtype=np.int64)
    id_lens[tokens.ids] = tokens.lens
    count = np.bincount(docs, minlength=tokens.n_docs)
    length = np.bincount(docs, weights=id_lens[ids], minlength=tokens.n_docs)
    return count, length
