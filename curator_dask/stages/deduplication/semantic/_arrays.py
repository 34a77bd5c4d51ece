"""The device code of semantic deduplication, written once against an array module.

Every function takes numpy arrays (pandas partitions, CPU workers) or cupy arrays (cudf
partitions, GPU workers) and works with the module the array comes from (``array_module``), so
a GPU worker runs the same code on the device. Work that would need an ``n x k`` or ``n x n``
matrix is done in blocks of ``block`` rows, so memory stays ``block x k`` (assignment) or
``block x block`` (pairwise), whatever the number of documents.
"""

from __future__ import annotations

import math
from typing import Any

from curator_dask.tasks.frames import array_module

__all__ = ["kmeans_plus_plus", "max_similarity_to_earlier", "nearest_centroids", "normalize_rows", "partial_sums"]

ASSIGN_BLOCK = 8192


def normalize_rows(x: Any) -> Any:
    """``x`` with every row scaled to unit L2 norm (an all-zero row stays zero), as float32."""
    xp = array_module(x)
    x = xp.asarray(x, dtype=xp.float32)
    norms = xp.linalg.norm(x, axis=1, keepdims=True)
    return x / xp.maximum(norms, xp.float32(1e-12))


def nearest_centroids(x: Any, centroids: Any, block: int = ASSIGN_BLOCK) -> tuple[Any, Any]:
    """The nearest centroid of every row of ``x`` and the squared L2 distance to it.

    Args:
        x: ``n x d`` rows.
        centroids: ``k x d`` centroids (same array module as ``x``).
        block: rows per distance block (memory ``block x k``).

    Returns:
        ``labels`` (int32, ``n``) and ``squared distances`` (float32, ``n``, clipped at 0).
    """
    xp = array_module(x)
    n = x.shape[0]
    labels = xp.empty(n, dtype=xp.int32)
    best = xp.empty(n, dtype=xp.float32)
    c_sq = (centroids * centroids).sum(axis=1)
    for lo in range(0, n, block):
        rows = x[lo : lo + block]
        # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2; ||x||^2 does not change the argmin
        d = c_sq[None, :] - 2.0 * (rows @ centroids.T)
        arg = d.argmin(axis=1)
        labels[lo : lo + block] = arg
        best[lo : lo + block] = xp.maximum(d[xp.arange(len(arg)), arg] + (rows * rows).sum(axis=1), 0.0)
    return labels, best


def partial_sums(x: Any, labels: Any, k: int) -> tuple[Any, Any]:
    """Per-cluster sums of the rows of ``x`` (float64, ``k x d``) and counts (int64, ``k``)."""
    xp = array_module(x)
    sums = xp.zeros((k, x.shape[1]), dtype=xp.float64)
    xp.add.at(sums, labels, x.astype(xp.float64))
    return sums, xp.bincount(labels, minlength=k).astype(xp.int64)


def kmeans_plus_plus(x: Any, k: int, seed: int) -> Any:
    """``k`` rows of ``x`` chosen by greedy k-means++ (``2 + log k`` candidates per step), as float32.

    Deterministic for a given ``x`` (in its row order) and ``seed``: the uniform draws come from a
    host ``numpy`` generator; the distances are computed with ``x``'s own array module.
    """
    import numpy as np

    xp = array_module(x)
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    trials = 2 + int(math.log(k)) if k > 1 else 1
    x_sq = (x * x).sum(axis=1)

    def sq_dist(rows: Any) -> Any:  # len(rows) x n squared distances, through one matmul
        return xp.maximum((rows * rows).sum(axis=1)[:, None] - 2.0 * (rows @ x.T) + x_sq[None, :], 0.0)

    chosen = [int(rng.integers(n))]
    closest = sq_dist(x[chosen[0] : chosen[0] + 1])[0]
    for _ in range(1, k):
        cumulative = xp.cumsum(closest.astype(xp.float64))
        total = float(cumulative[-1])
        if total <= 0:  # fewer distinct rows than k: take the first unused rows
            chosen.append(next(i for i in range(n) if i not in set(chosen)))
            continue
        picks = xp.minimum(xp.searchsorted(cumulative, xp.asarray(rng.random(trials) * total)), n - 1)
        dist = sq_dist(x[picks])
        best = int(xp.minimum(closest[None, :], dist).sum(axis=1).argmin())
        chosen.append(int(picks[best]))
        closest = xp.minimum(closest, dist[best])
    return xp.asarray(x[xp.asarray(chosen)], dtype=xp.float32)


def max_similarity_to_earlier(x: Any, block: int = 1024) -> tuple[Any, Any]:
    """For every row of ``x`` (ranked, unit rows): the highest cosine similarity to an earlier row, and which.

    Row ``i`` is compared with rows ``0 .. i-1`` only (the higher-ranked ones); the first row
    gets similarity 0 and itself. Ties go to the earliest row. Both axes are blocked, so the
    workspace is ``block x block`` however large the cluster.

    Returns:
        ``scores`` (float32, ``n``) and ``indices`` (int64, ``n``) into ``x``'s rows.
    """
    xp = array_module(x)
    n = x.shape[0]
    scores = xp.zeros(n, dtype=xp.float32)
    indices = xp.zeros(n, dtype=xp.int64)
    for q_lo in range(0, n, block):
        q_hi = min(q_lo + block, n)
        queries = x[q_lo:q_hi]
        best = xp.full(q_hi - q_lo, -xp.inf, dtype=xp.float32)
        where = xp.zeros(q_hi - q_lo, dtype=xp.int64)
        for c_lo in range(0, q_hi, block):
            c_hi = min(c_lo + block, q_hi)
            sims = queries @ x[c_lo:c_hi].T  # queries x candidates
            if c_hi > q_lo:  # the diagonal block: only strictly earlier candidates count
                q_idx = xp.arange(q_lo, q_hi)[:, None]
                c_idx = xp.arange(c_lo, c_hi)[None, :]
                sims = xp.where(c_idx < q_idx, sims, -xp.inf)
            arg = sims.argmax(axis=1)
            top = sims[xp.arange(q_hi - q_lo), arg]
            better = top > best  # strictly: an earlier block wins a tie
            best = xp.where(better, top, best)
            where = xp.where(better, arg + c_lo, where)
        scores[q_lo:q_hi] = xp.where(xp.isinf(best), 0.0, best)  # only row 0 has no candidate
        indices[q_lo:q_hi] = where
    return scores, indices
