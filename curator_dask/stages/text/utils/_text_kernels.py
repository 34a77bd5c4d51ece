"""Compiled loops over a batch's text bytes and flattened words, for the heuristic filters' batch paths.

``FlatTokens`` numbers n-grams and the repetition filters count them with hash passes over whole
integer arrays (``pd.factorize``, ``np.bincount``, running maxima): several passes over every word
of the batch per filter, most of the cascade's time. These kernels do each in one pass per
document, with a hash table sized to the document (it stays in cache) instead of one for the batch,
and skip the hashing for documents whose (n-1)-grams are all distinct (most prose, from n = 4 or
so): their n-grams are all distinct too. ``count_bytes`` sums a byte table over each text in one
pass (``np.take`` first widened every byte to an 8-byte index).

Numbers and results are exactly those of the array code they replace, which stays as the fallback
where numba cannot be imported and which the tests compare them with. Imported on first use by
``text_column.kernels()`` (numba is a dependency, loaded lazily); the functions are module-level
so that numba's cache finds them again in the next process (closures were compiled anew each time).
Inputs are the arrays of ``FlatTokens``: ``doc`` (non-decreasing document of each word), ``ids``
(word ids) or order-``n`` n-gram ids (-1 where the n-gram would leave its document), ``lens``.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

__all__ = ["count_bytes", "duplicate_chars", "number", "top_positions"]


@numba.njit(nogil=True, cache=True)
def _bounds(doc: Any, n_docs: int) -> Any:
    """``starts[d]:starts[d + 1]``: the words of document ``d``."""
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    for d in doc:
        starts[d + 1] += 1
    for d in range(n_docs):
        starts[d + 1] += starts[d]
    return starts


@numba.njit(nogil=True, cache=True)
def _all_new(grams: Any, start: int, end: int) -> bool:
    """Whether the ids at ``start:end`` are all distinct: numbered by first sighting, they then count up by one."""
    for p in range(start + 1, end):  # noqa: SIM110 - numba compiles no all() over a generator
        if grams[p] != grams[p - 1] + 1:
            return False
    return True


@numba.njit(nogil=True, cache=True)
def count_bytes(data: Any, offsets: Any, table: Any) -> Any:
    """Per text ``data[offsets[i]:offsets[i + 1]]``, the sum of ``table[byte]`` over its bytes."""
    out = np.zeros(len(offsets) - 1, dtype=np.int64)
    for i in range(len(offsets) - 1):
        total = 0
        for k in range(offsets[i], offsets[i + 1]):
            total += table[data[k]]
        out[i] = total
    return out


@numba.njit(nogil=True, cache=True)
def number(prev: Any, ids: Any, doc: Any, n: int, n_docs: int) -> Any:
    """Order-``n`` n-gram ids from the order-``n - 1`` ones (``prev``; the word ids themselves for n = 1).

    The n-gram at word ``p`` is (n-gram ``n - 1`` at ``p``, word ``p + n - 1``); equal pairs of a
    document get one id, numbered in order of first appearance across the batch, as
    ``pd.factorize`` numbers them. Open addressing with linear probing; a slot belongs to the
    current document when its stamp says so, so the table is never cleared.
    """
    size = len(ids)
    out = np.full(size, -1, dtype=np.int64)
    starts = _bounds(doc, n_docs)
    longest = 1
    for d in range(n_docs):
        longest = max(longest, starts[d + 1] - starts[d])
    cap = 1
    while cap < 2 * longest:
        cap *= 2
    key_a = np.empty(cap, dtype=np.int64)
    key_b = np.empty(cap, dtype=np.int64)
    value = np.empty(cap, dtype=np.int64)
    stamp = np.full(cap, -1, dtype=np.int64)
    # Which (n-1)-grams occur once in their document (ids are unique per document); an n-gram
    # ends past the last (n-1)-gram of its document, so only windows p < end are counted.
    seen = np.zeros(max(prev.max() + 2, 1) if n > 1 and size else 1, dtype=np.int64)
    if n > 1:
        for d in range(n_docs):
            for p in range(starts[d], starts[d + 1] - n + 1):
                seen[prev[p]] += 1
    once = seen == 1
    following = 0
    for d in range(n_docs):
        start, end = starts[d], starts[d + 1] - n + 1  # windows inside the document
        if end <= start:
            continue
        if n > 1 and _all_new(prev, start, end):
            for p in range(start, end):  # distinct (n-1)-grams: every n-gram is a first sighting
                out[p] = following
                following += 1
            continue
        mask = 1
        while mask < 2 * (end - start):
            mask *= 2
        mask -= 1
        for p in range(start, end):
            a = prev[p] if n > 1 else 0
            if n > 1 and once[a]:  # an (n-1)-gram seen once in its document starts one n-gram
                out[p] = following
                following += 1
                continue
            b = ids[p + n - 1]
            h = a * 0x2545F4914F6CDD1D + b  # int64 arithmetic wraps; the mask keeps low bits
            h ^= h >> 29
            h *= 0x27BB2EE687B0B0FD
            slot = (h ^ (h >> 32)) & mask
            while True:
                if stamp[slot] != d:
                    stamp[slot], key_a[slot], key_b[slot], value[slot] = d, a, b, following
                    out[p] = following
                    following += 1
                    break
                if key_a[slot] == a and key_b[slot] == b:
                    out[p] = value[slot]
                    break
                slot = (slot + 1) & mask
    return out


@numba.njit(nogil=True, cache=True)
def duplicate_chars(grams: Any, lens: Any, doc: Any, n: int, n_docs: int) -> Any:
    """Per document, NeMo's ``duplicated_nchar`` walk over its n-gram ids (ids are unique per document)."""
    total = np.zeros(n_docs, dtype=np.float64)
    seen = np.zeros(max(grams.max() + 1, 1) if len(grams) else 1, dtype=np.bool_)
    starts = _bounds(doc, n_docs)
    for d in range(n_docs):
        overlapping = 0
        chars = 0
        for p in range(starts[d], starts[d + 1]):
            g = grams[p]
            if g < 0:
                break  # the tail of the document: no more windows
            if seen[g]:
                for k in range(p + overlapping, p + n):
                    chars += lens[k]
                chars += min(n - overlapping, n - 1)
                overlapping = n
            seen[g] = True
            overlapping = max(overlapping - 1, 0)
        total[d] = chars
    return total


@numba.njit(nogil=True, cache=True)
def top_positions(grams: Any, doc: Any, n_docs: int) -> Any:
    """Per document, the first word position of its most frequent n-gram (-1 without n-grams)."""
    pick = np.full(n_docs, -1, dtype=np.int64)
    freq = np.zeros(max(grams.max() + 1, 1) if len(grams) else 1, dtype=np.int64)
    starts = _bounds(doc, n_docs)
    for d in range(n_docs):
        best = 0
        for p in range(starts[d], starts[d + 1]):
            g = grams[p]
            if g < 0:
                break
            freq[g] += 1
            best = max(best, freq[g])
        for p in range(starts[d], starts[d + 1]):
            g = grams[p]
            if g < 0:
                break
            if freq[g] == best:
                pick[d] = p
                break
    return pick
