"""MinHash signatures of character n-grams, vectorised with numpy (cudf's ``str.minhash`` on GPU).

The CPU signature of a document is, per permutation ``k``, ``min over shingles s of
a_k * fmix32(shingle_hash(s)) + b_k (mod 2^32)``, where ``(a_k, b_k)`` are drawn from
``numpy.random.RandomState(seed)`` exactly as ``datasketch.MinHash`` (2.x, default ``affine32``
scheme) draws them. ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash)`` updated with the
same shingles therefore yields bit-identical signatures (the benchmark checks this).

Shingles are windows of ``char_ngrams`` *characters* (Unicode code points); a document shorter than
the window is one shingle (NeMo Curator's rule). A shingle's hash is a polynomial in its code points
modulo 2^64 followed by the MurmurHash3 64-bit finalizer, keeping the top 32 bits; for a whole batch
it comes from one prefix sum, so no Python code runs per shingle. The polynomial is not
collision-resistant against adversarial input, which MinHash does not need.

On cudf the signatures come from ``cudf``'s ``str.minhash`` with the same ``a``, ``b``: they are
MinHash signatures with the same estimates, not bit-equal to the CPU ones (cudf hashes shingles
with MurmurHash3).
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from curator_dask.errors import ConfigError
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["ENGINES", "Engine", "MinHasher", "fmix32", "fmix64", "shingle_hash", "shingles"]

Engine = Literal["auto", "numpy", "numba"]
ENGINES: tuple[Engine, ...] = ("auto", "numpy", "numba")

_MASK64 = (1 << 64) - 1
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2^64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_BATCH_CHARS = 1 << 20  # code points hashed per batch: bounds the prefix-sum arrays (~8 MiB each)
_CHUNK_SHINGLES = 4096  # shingles per permutation block: keeps the block (260 x 4096 x 4 B) in cache
_U32 = np.uint32
_U64 = np.uint64


def fmix64(h: Any) -> Any:
    """MurmurHash3's 64-bit finalizer on a uint64 numpy/cupy array (wrapping arithmetic)."""
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def fmix32(h: Any) -> Any:
    """MurmurHash3's 32-bit finalizer on a uint32 array (datasketch's ``affine32`` pre-mix)."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash of one shingle, as the vectorised code computes it (a ``datasketch`` hashfunc)."""
    acc, power = 0, 1
    for ch in shingle:
        acc = (acc + ord(ch) * power) & _MASK64
        power = (power * _BASE) & _MASK64
    return int(fmix64(np.array([acc], dtype=_U64))[0] >> _U64(32))


def shingles(text: str, char_ngrams: int) -> list[str]:
    """The character n-grams of ``text`` (the whole text when shorter than the window)."""
    return [text[i : i + char_ngrams] for i in range(max(1, len(text) - char_ngrams + 1))]


@functools.cache
def _numba_kernel() -> Callable[..., None] | None:
    """The compiled kernel of ``_minhash_numba``, or ``None`` where numba cannot be imported.

    numba is a dependency, so this is the default path; an install without it (``--no-deps``, a
    platform with no wheel) or with a numba built for another NumPy falls back to the numpy code,
    which gives the same signatures several times slower, and says so once.
    """
    if importlib.util.find_spec("numba") is None:
        return None
    try:
        from curator_dask.stages.deduplication.fuzzy._minhash_numba import signatures_kernel
    except ImportError as e:  # numba is there but does not load (e.g. compiled for another NumPy)
        warnings.warn(
            f"MinHasher: numba is installed but cannot be imported ({e}); computing MinHash with numpy "
            "(same signatures, several times slower). Fix: `pip install -U numba`",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return signatures_kernel  # type: ignore[no-any-return]


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of ``texts`` concatenated (uint8 when all ASCII, else uint32) and their bounds."""
    joined = "".join(texts)
    ascii_only = joined.isascii()  # O(1) in CPython: a flag of the string object
    codes = np.frombuffer(joined.encode("ascii" if ascii_only else "utf-32-le"), dtype=np.uint8 if ascii_only else _U32)
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=bounds[1:])
    return codes, bounds


def _powers(base: int, n: int) -> np.ndarray:
    """``base ** i`` modulo 2^64 for ``i < n``."""
    out = np.full(n, base, dtype=_U64)
    out[0] = 1
    return np.cumprod(out, dtype=_U64)  # wraps modulo 2^64, as intended


_cached_powers = functools.cache(_powers)


def _power_table(base: int, n: int) -> np.ndarray:
    """``_powers(base, n)``, from a cache of power-of-two sizes up to twice ``_BATCH_CHARS``."""
    size = 1 << max(10, (n - 1).bit_length())
    return _cached_powers(base, size)[:n] if size <= 2 * _BATCH_CHARS else _powers(base, n)


def _shingle_hashes(codes: np.ndarray, bounds: np.ndarray, char_ngrams: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of all shingles of the documents ``codes[bounds[d]:bounds[d+1]]`` and their offsets."""
    lengths = np.diff(bounds)
    counts = np.maximum(lengths - char_ngrams + 1, 1)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    first = np.repeat(bounds[:-1] - offsets[:-1], counts)
    start = np.arange(offsets[-1], dtype=np.int64) + first
    end = np.minimum(start + char_ngrams, np.repeat(bounds[1:], counts))
    prefix = np.zeros(len(codes) + 1, dtype=_U64)
    np.cumsum(codes * _power_table(_BASE, len(codes)), out=prefix[1:], dtype=_U64)
    window = (prefix[end] - prefix[start]) * _power_table(_BASE_INV, len(codes) + 1)[start]
    return (fmix64(window) >> _U64(32)).astype(_U32), offsets


@dataclass
class MinHasher:
    """Computes MinHash signatures of documents; deterministic given ``seed``.

    Args:
        num_hashes: signature length (NeMo Curator: ``num_bands * minhashes_per_band``).
        char_ngrams: shingle width in characters (NeMo Curator's default 24).
        seed: seed of the permutations (same draw as ``datasketch.MinHash(seed=seed)``).
        engine: CPU implementation: ``"numba"`` (the compiled kernel, several times faster),
            ``"numpy"``, or ``"auto"`` (numba, a dependency, unless it cannot be imported). Both give
            the same signatures.
    """

    num_hashes: int = 260
    char_ngrams: int = 24
    seed: int = 42
    engine: Engine = "auto"
    a: np.ndarray = field(init=False, repr=False)
    b: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.num_hashes < 1 or self.char_ngrams < 1:
            msg = f"num_hashes and char_ngrams must be positive; got {self.num_hashes}, {self.char_ngrams}"
            raise ConfigError(msg)
        if self.engine not in ENGINES:
            raise ConfigError(f"engine={self.engine!r} is not one of {ENGINES}")
        if self.engine == "numba" and _numba_kernel() is None:
            raise ConfigError("engine='numba' needs numba: `pip install numba`, or pass engine='auto'")
        gen = np.random.RandomState(self.seed)
        self.a = gen.randint(0, 1 << 31, self.num_hashes, dtype=_U32) * _U32(2) + _U32(1)
        self.b = gen.randint(0, 1 << 32, self.num_hashes, dtype=np.uint64).astype(_U32)

    def signatures(self, texts: Any) -> Any:
        """Signatures of a pandas/cudf string series (or a list of str): ``(n, num_hashes)`` uint32."""
        if is_cudf_frame(texts):
            return self._cudf_signatures(texts)
        texts = texts.tolist() if hasattr(texts, "tolist") else list(texts)
        out = np.empty((len(texts), self.num_hashes), dtype=_U32)
        kernel = None if self.engine == "numpy" else _numba_kernel()
        lo = 0
        while lo < len(texts):
            hi, chars = lo, 0
            while hi < len(texts) and (hi == lo or chars + len(texts[hi]) <= _BATCH_CHARS):
                chars += len(texts[hi])
                hi += 1
            codes, bounds = _codes(texts[lo:hi])
            if kernel is None:
                out[lo:hi] = self._numpy_signatures(codes, bounds)
            else:
                kernel(codes, bounds, self.char_ngrams, _U64(_BASE), _U64(_BASE_INV), self.a, self.b, out[lo:hi])
            lo = hi
        return out

    def _numpy_signatures(self, codes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        hashes, offsets = _shingle_hashes(codes, bounds, self.char_ngrams)
        hashes = fmix32(hashes)
        sig = np.full((len(bounds) - 1, self.num_hashes), np.iinfo(_U32).max, dtype=_U32)
        block = np.empty((self.num_hashes, _CHUNK_SHINGLES), dtype=_U32)
        a, b = self.a[:, None], self.b[:, None]
        for lo in range(0, len(hashes), _CHUNK_SHINGLES):
            hi = min(lo + _CHUNK_SHINGLES, len(hashes))
            view = block[:, : hi - lo]
            np.multiply(a, hashes[lo:hi], out=view)
            view += b
            d0 = int(np.searchsorted(offsets, lo, side="right")) - 1
            d1 = int(np.searchsorted(offsets, hi, side="left"))
            starts = np.maximum(offsets[d0:d1], lo) - lo
            np.minimum(sig[d0:d1], np.minimum.reduceat(view, starts, axis=1).T, out=sig[d0:d1])
        return sig

    def _cudf_signatures(self, texts: Any) -> Any:
        import cudf

        a = cudf.Series(self.a, dtype="uint32")
        b = cudf.Series(self.b, dtype="uint32")
        lists = texts.str.minhash(seed=self.seed, a=a, b=b, width=self.char_ngrams)
        return lists.list.leaves.values.reshape(len(texts), self.num_hashes)
