"""The array-module code against brute force, on numpy and (with a GPU) on cupy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from curator_dask.stages.deduplication.semantic._arrays import (
    kmeans_plus_plus,
    max_similarity_to_earlier,
    nearest_centroids,
    normalize_rows,
    partial_sums,
)
from curator_dask.tasks.frames import to_host


@pytest.fixture(params=["numpy", pytest.param("cupy", marks=pytest.mark.gpu)])
def xp(request: pytest.FixtureRequest) -> Any:
    """Each body runs with numpy arrays and, with a GPU, with cupy arrays (the GPU workers' path)."""
    return np if request.param == "numpy" else pytest.importorskip("cupy")


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
def test_max_similarity_to_earlier_equals_the_masked_full_matrix(xp, block) -> None:
    x = _unit(150, 16, seed=0)
    x[40] = x[3]  # exact copies: a tie between rows 3 and 90 for row 120 goes to the earlier one
    x[90] = x[3]
    x[120] = x[3]
    full = x @ x.T
    masked = np.where(np.tri(len(x), k=-1, dtype=bool), full, -np.inf)
    want_idx = masked.argmax(axis=1)
    want = masked.max(axis=1)
    want_idx[0], want[0] = 0, 0.0
    scores, indices = max_similarity_to_earlier(xp.asarray(x), block)
    np.testing.assert_allclose(to_host(scores), want, atol=1e-5)
    np.testing.assert_array_equal(to_host(indices), want_idx)
    assert int(to_host(indices)[120]) == 3


def test_nearest_centroids_and_partial_sums_equal_brute_force(xp) -> None:
    x, c = _unit(300, 8, seed=1), _unit(5, 8, seed=2)
    labels, sq = nearest_centroids(xp.asarray(x), xp.asarray(c), block=64)
    dist = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(to_host(labels), dist.argmin(axis=1))
    np.testing.assert_allclose(to_host(sq), dist.min(axis=1), atol=1e-5)
    sums, counts = partial_sums(xp.asarray(x), labels, 5)
    for k in range(5):
        np.testing.assert_allclose(to_host(sums)[k], x[dist.argmin(axis=1) == k].sum(axis=0), atol=1e-4)
    assert to_host(counts).sum() == 300


def test_kmeans_plus_plus_is_seeded_and_picks_distinct_rows(xp) -> None:
    x = xp.asarray(_unit(500, 8, seed=3))
    first, again, other = (to_host(kmeans_plus_plus(x, 12, seed)) for seed in (7, 7, 8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len({row.tobytes() for row in first}) == 12


def test_normalize_rows_leaves_zero_rows_at_zero(xp) -> None:
    out = to_host(normalize_rows(xp.asarray(np.array([[3.0, 4.0], [0.0, 0.0]]))))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], atol=1e-6)
