"""N-gram ids of a batch's flattened words, and the loader of the compiled kernels (``kernels()``).

``number_ngrams`` numbers the n-grams that start at each word position: equal n-grams of one
document share an id, other documents' differ, and ids count up in order of first appearance.
The numba kernel (``_text_kernels.number``) and the array code (``pd.factorize`` in chunks, the
fallback where numba cannot be imported) give exactly the same ids.
"""

from __future__ import annotations

import functools
import itertools
from types import ModuleType

import numpy as np
import pandas as pd

__all__ = ["kernels", "number_ngrams"]


@functools.cache
def kernels() -> ModuleType | None:
    """The compiled kernels (``_text_kernels``), or None where numba cannot be imported (array code then)."""
    try:
        from curator_dask.stages.text.utils import _text_kernels
    except ImportError:  # pragma: no cover - numba is a dependency; the array code gives the same numbers
        return None
    return _text_kernels


def number_ngrams(
    prev: np.ndarray, ids: np.ndarray, doc: np.ndarray, n: int, n_docs: int, width: int, compiled: bool = True
) -> np.ndarray:
    """Order-``n`` n-gram ids from the order-``n - 1`` ones (``prev``; ``ids`` for n = 1), as ``ngram_ids``.

    ``compiled`` uses the numba kernel where numba can be imported; the array code (the fallback)
    numbers exactly as it does. ``width`` exceeds every word id.
    """
    compiled_kernels = kernels() if compiled else None
    if compiled_kernels is not None:
        return compiled_kernels.number(prev, ids, doc, n, n_docs)
    if n == 1:
        return _factorize_by_doc(doc * width + ids, doc)
    out = np.full(len(ids), -1, dtype=np.int64)
    windows = len(ids) - n + 1
    if windows > 0:
        # Documents are contiguous, so a window lies in one document iff its ends do.
        valid = doc[:windows] == doc[n - 1 :]
        keys = prev[:windows][valid] * width + ids[n - 1 :][valid]
        out[:windows][valid] = _factorize_by_doc(keys, doc[:windows][valid])
    return out


def _factorize_by_doc(keys: np.ndarray, docs: np.ndarray, chunk: int = 16384) -> np.ndarray:
    """``pd.factorize(keys)[0]`` for keys that never repeat across documents (``docs`` sorted).

    Factorizing a few documents at a time keeps the hash table in cache, about four times faster
    on large batches; codes stay unique and numbered in order of first appearance.
    """
    size = len(keys)
    bounds = np.unique(np.r_[np.searchsorted(docs, docs[::chunk], side="left"), size])
    out = np.empty(size, dtype=np.int64)
    offset = 0
    for start, end in itertools.pairwise(bounds):
        codes = pd.factorize(keys[start:end])[0]
        out[start:end] = codes + offset
        offset += int(codes.max()) + 1
    return out
