"""MinHash signatures: deterministic given a seed, equal to datasketch's, good Jaccard estimates.

The CPU tests run once per engine: numpy always, numba when it is installed; both must give the
same signatures (datasketch's).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curator_dask.examples.corpus import near_duplicates
from curator_dask.stages.deduplication.fuzzy.jaccard import jaccard
from curator_dask.stages.deduplication.fuzzy.lsh import band_bucket_ids
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher, shingle_hash, shingles
from tests.broken_numba import run_with_broken_numba

TEXTS = ["", "short", "ünïcödé 日本語 " * 5, "the quick brown fox jumps over the lazy dog " * 30, "x" * 24, "😀" * 30]
HAS_NUMBA = importlib.util.find_spec("numba") is not None
ENGINES = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed"))]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each CPU engine of ``MinHasher`` (numba only when installed)."""
    return str(request.param)


def _series(texts: list[str], backend: str) -> object:
    if backend == "cudf":
        import cudf

        return cudf.Series(texts)
    return pd.Series(texts, dtype="str")


def test_signatures_are_deterministic_given_a_seed(engine: str) -> None:
    first = MinHasher(num_hashes=64, seed=3, engine=engine).signatures(TEXTS)
    assert first.shape == (len(TEXTS), 64) and first.dtype == np.uint32
    assert np.array_equal(first, MinHasher(num_hashes=64, seed=3, engine=engine).signatures(pd.Series(TEXTS)))
    assert not np.array_equal(first, MinHasher(num_hashes=64, seed=4, engine=engine).signatures(TEXTS))
    assert MinHasher(num_hashes=8, engine=engine).signatures([]).shape == (0, 8)


@pytest.mark.parametrize("char_ngrams", [1, 5, 24])
def test_signatures_equal_datasketch_with_the_same_shingle_hash(engine: str, char_ngrams: int) -> None:
    datasketch = pytest.importorskip("datasketch")
    texts = [*TEXTS, *near_duplicates(20, seed=5)["text"]]
    ours = MinHasher(num_hashes=128, char_ngrams=char_ngrams, seed=11, engine=engine).signatures(texts)
    for text, sig in zip(texts, ours, strict=True):
        ref = datasketch.MinHash(num_perm=128, seed=11, hashfunc=shingle_hash)
        ref.update_batch(shingles(text, char_ngrams))
        assert np.array_equal(ref.hashvalues, sig)


def test_engines_agree_on_mixed_ascii_and_unicode_batches() -> None:
    pytest.importorskip("numba")
    texts = [t if i % 7 else t.replace("e", "é") for i, t in enumerate(near_duplicates(40, seed=6)["text"])]
    numpy_sig = MinHasher(num_hashes=260, engine="numpy").signatures(texts)
    assert np.array_equal(numpy_sig, MinHasher(num_hashes=260, engine="numba").signatures(texts))
    assert np.array_equal(numpy_sig, MinHasher(num_hashes=260).signatures(texts))  # auto picks numba


def test_batches_split_long_inputs_without_changing_signatures(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from curator_dask.stages.deduplication.fuzzy import minhash

    texts = list(near_duplicates(30, seed=2)["text"])
    whole = MinHasher(num_hashes=32, engine=engine).signatures(texts)
    monkeypatch.setattr(minhash, "_BATCH_CHARS", 3000)
    monkeypatch.setattr(minhash, "_CHUNK_SHINGLES", 100)
    assert np.array_equal(whole, MinHasher(num_hashes=32, engine=engine).signatures(texts))


def test_jaccard_estimates_match_exact_jaccard(backend: str) -> None:
    corpus = near_duplicates(60, seed=4, duplicate_share=0.6)
    texts = list(corpus["text"])
    sig = MinHasher(num_hashes=256, seed=1).signatures(_series(texts, backend))
    sig = sig.get() if hasattr(sig, "get") else sig
    errors = [
        abs(float(np.mean(sig[i] == sig[j])) - jaccard(texts[i], texts[j], 24))
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if corpus["source"][i] == corpus["source"][j]
    ]
    assert len(errors) > 20
    assert np.mean(errors) < 0.03 and max(errors) < 0.15


def test_band_bucket_ids_agree_exactly_when_the_band_agrees() -> None:
    sig = np.array([[1, 2, 3, 4], [1, 2, 9, 4], [7, 2, 3, 4]], dtype=np.uint32)
    buckets = band_bucket_ids(sig, num_bands=2, minhashes_per_band=2)
    assert buckets.shape == (3, 2) and buckets.dtype == np.uint64
    assert buckets[0, 0] == buckets[1, 0] != buckets[2, 0]
    assert buckets[0, 1] == buckets[2, 1] != buckets[1, 1]
    assert len(set(buckets.ravel().tolist())) == 4  # bands never share bucket ids


def test_invalid_parameters_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    from curator_dask.stages.deduplication.fuzzy import minhash

    with pytest.raises(ValueError, match="char_ngrams"):
        MinHasher(char_ngrams=0)
    with pytest.raises(ValueError, match="engine='cython' is not one of"):
        MinHasher(engine="cython")  # type: ignore[arg-type]
    monkeypatch.setattr(minhash, "_numba_kernel", lambda: None)  # as when numba is not installed
    with pytest.raises(ValueError, match=r"engine='numba' needs numba: `pip install numba`"):
        MinHasher(engine="numba")
    assert MinHasher(num_hashes=4).signatures(["abc"]).shape == (1, 4)  # auto falls back to numpy


def test_importing_minhash_does_not_import_numba() -> None:
    import subprocess
    import sys

    code = "import sys, curator_dask.stages.deduplication; assert 'numba' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_numba_that_cannot_be_imported_falls_back_to_numpy_with_a_warning(tmp_path: Path) -> None:
    code = (
        "import warnings, numpy as np\n"
        "from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher\n"
        "texts = ['near duplicate text number one', 'ab', '']\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    auto = MinHasher(num_hashes=16).signatures(texts)\n"
        "assert np.array_equal(auto, MinHasher(num_hashes=16, engine='numpy').signatures(texts))\n"
        "print(caught[0].message)\n"
    )
    assert run_with_broken_numba(tmp_path, code).startswith(
        "MinHasher: numba is installed but cannot be imported (numba needs NumPy 9.9 or less); computing MinHash "
        "with numpy (same signatures, several times slower). Fix: `pip install -U numba`"
    )
