"""The MinHash kernel compiled with numba: per document, shingle hashes then a fused min loop.

Imported by ``minhash._numba_kernel`` on first use (numba is a dependency, loaded lazily). It
computes exactly what the numpy code in ``minhash`` computes, bit for bit: the same polynomial
shingle hash (rolled along the document instead of taken from a prefix sum), the same ``fmix64``
and ``fmix32`` mixes and the same ``a * h + b (mod 2^32)`` permutations.

Why it is fast: a document's shingle hashes (a few KiB) stay in L1 while, per permutation, one loop
takes ``min(a * h + b)`` over them. LLVM vectorises that loop into a multiply, an add and an
unsigned min per 16 shingles (AVX-512; 8 with AVX2) with no loads or stores of the signature,
where numpy needs three passes over a ``num_hashes x shingles`` block in memory.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["signatures_kernel"]

_U64 = np.uint64
_M32 = _U64(0xFFFFFFFF)


@numba.njit(inline="always")
def _fmix64(h: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


@numba.njit(inline="always")
def _fmix32(h: np.uint64) -> np.uint32:  # pragma: no cover - compiled
    h ^= h >> _U64(16)
    h = (h * _U64(0x85EBCA6B)) & _M32
    h ^= h >> _U64(13)
    h = (h * _U64(0xC2B2AE35)) & _M32
    return np.uint32(h ^ (h >> _U64(16)))


@numba.njit(nogil=True, cache=True)
def signatures_kernel(
    codes: np.ndarray,
    bounds: np.ndarray,
    width: int,
    base: np.uint64,
    base_inv: np.uint64,
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled; tested against the numpy path
    """Write the signature of document ``d`` (``codes[bounds[d]:bounds[d + 1]]``) into ``out[d]``.

    Args:
        codes: code points of all documents, concatenated (uint8 or uint32).
        bounds: int64 document boundaries into ``codes`` (``len(out) + 1`` of them).
        width: shingle width in code points.
        base: the polynomial's base.
        base_inv: the inverse of ``base`` modulo 2^64.
        a: uint32 multipliers of the permutations.
        b: uint32 offsets of the permutations.
        out: ``(documents, len(a))`` uint32, overwritten.
    """
    top = _U64(1)  # base ** (width - 1): the weight of the code point entering the window
    for _ in range(width - 1):
        top *= base
    longest = 1
    for d in range(out.shape[0]):
        longest = max(longest, bounds[d + 1] - bounds[d])
    hashes = np.empty(longest, dtype=np.uint32)
    for d in range(out.shape[0]):
        lo, hi = bounds[d], bounds[d + 1]
        count = max(1, hi - lo - width + 1)
        acc, power = _U64(0), _U64(1)
        for i in range(lo, min(lo + width, hi)):
            acc += _U64(codes[i]) * power
            power *= base
        hashes[0] = _fmix32(_fmix64(acc) >> _U64(32))
        for s in range(1, count):  # roll the window: drop codes[lo+s-1], shift, add the new last one
            acc = (acc - _U64(codes[lo + s - 1])) * base_inv + _U64(codes[lo + s + width - 1]) * top
            hashes[s] = _fmix32(_fmix64(acc) >> _U64(32))
        for k in range(a.shape[0]):
            ak, bk, low = a[k], b[k], np.uint32(0xFFFFFFFF)
            for s in range(count):
                low = min(low, np.uint32(ak * hashes[s] + bk))
            out[d, k] = low
