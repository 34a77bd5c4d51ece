"""K-means over a Dask collection: seeded initialisation on a sample, Lloyd iterations on the workers.

The embeddings stay in their partitions. Initialisation draws a sample chosen by a seeded hash
of the ids (so the same rows are drawn for any partitioning), orders it by that hash and runs
greedy k-means++ on one worker (``init="k-means||"`` and ``"k-means++"`` both mean this;
``"random"`` takes the first ``n_clusters`` rows of the sample; an array is used as given). Each
Lloyd iteration sends the centroids to every partition, which returns its per-cluster sums and
counts; a tree of reductions on the workers turns them into the new centroids, and only those
(``k x d``) and two numbers reach the driver. Sums are float64 and the centroids float32, so
different partitionings agree on them to the last bit in all but vanishingly rare cases.

Distances and assignments run in ``_arrays`` with the partition's array module: numpy on CPU
workers, cupy on GPU workers (cudf partitions).
"""

from __future__ import annotations

import logging
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.stages.deduplication.semantic._arrays import kmeans_plus_plus, nearest_centroids, partial_sums
from curator_dask.tasks.frames import array_module, frame_from_arrays, to_host

__all__ = ["KMeansResult", "assign_clusters", "fit_kmeans", "partition_matrix"]

logger = logging.getLogger(__name__)

CENTROID_COL = "centroid"
L2_DIST_TO_CENT_COL = "l2_dist_to_cent"
COSINE_DIST_TO_CENT_COL = "cosine_dist_to_cent"
_KEY = "_curator_sample_key"
_FAN_IN = 8


@dataclass
class KMeansResult:
    """Fitted centroids (float32, host), the Lloyd iterations run, and the final inertia."""

    centroids: np.ndarray
    iterations: int
    inertia: float


def partition_matrix(df: Any, columns: list[str]) -> Any:
    """The embedding columns of a partition as an ``n x d`` float32 array (numpy or cupy)."""
    return df[columns].to_numpy(dtype="float32") if not hasattr(df, "to_pandas") else df[columns].values


def _sample_keys(ids: Any, seed: int) -> np.ndarray:
    """A seeded 64-bit key per id: the same for an id wherever it sits."""
    host = ids.to_pandas() if hasattr(ids, "to_pandas") else ids
    keys = pd.util.hash_array(np.asarray(host))
    keys = (keys ^ np.uint64((seed * 0x9E3779B97F4A7C15) % (1 << 64))) * np.uint64(0xBF58476D1CE4E5B9)
    return keys ^ (keys >> np.uint64(31))  # type: ignore[no-any-return]


def _sample(df: Any, id_field: str, columns: list[str], seed: int, threshold: int) -> Any:
    """The rows of one partition whose key is below ``threshold``: ``[_KEY, *columns]``."""
    keys = _sample_keys(df[id_field], seed)
    chosen = keys < np.uint64(threshold)
    rows = df[columns][chosen] if not hasattr(df, "to_pandas") else df[columns][array_module(df).asarray(chosen)]
    return rows.assign(**{_KEY: keys[chosen]})


def _init_centroids(samples: list[Any], columns: list[str], k: int, size: int, init: str, seed: int) -> np.ndarray:
    """Initial centroids from the sampled rows, ordered by key (independent of partitioning)."""
    from curator_dask.tasks.frames import concat_frames

    rows = concat_frames(samples).sort_values(_KEY).head(size)
    x = partition_matrix(rows, columns)
    chosen = x[:k] if init == "random" else kmeans_plus_plus(x, k, seed)
    return to_host(chosen).astype(np.float32)


def _partial(x: Any, centroids: np.ndarray, block: int) -> dict[str, Any]:
    """One partition's contribution to a Lloyd step, on the host: sums, counts, inertia, sum of squares."""
    xp = array_module(x)
    labels, sq = nearest_centroids(x, xp.asarray(centroids), block)
    sums, counts = partial_sums(x, labels, len(centroids))
    return {
        "sums": to_host(sums),
        "counts": to_host(counts),
        "inertia": float(sq.sum()),
        "sq_total": float((x.astype(xp.float64) ** 2).sum()),
    }


def _combine(*partials: dict[str, Any]) -> dict[str, Any]:
    return {key: sum(p[key] for p in partials[1:]) + partials[0][key] for key in partials[0]}


def _update(total: dict[str, Any], old: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """New centroids (an empty cluster keeps its centroid), their squared shift, inertia, mean variance."""
    counts = total["counts"]
    new = old.astype(np.float64).copy()
    filled = counts > 0
    new[filled] = total["sums"][filled] / counts[filled, None]
    new32 = new.astype(np.float32)
    n = max(int(counts.sum()), 1)
    mean = total["sums"].sum(axis=0) / n
    variance = (total["sq_total"] / n - float((mean * mean).sum())) / old.shape[1]
    shift = float(((new32.astype(np.float64) - old) ** 2).sum())
    return new32, shift, float(total["inertia"]), variance


def _reduce(client: Any, partials: list[Any]) -> Any:
    """A tree of ``_combine`` tasks on the workers; one future holding the total."""
    while len(partials) > 1:
        partials = [client.submit(_combine, *partials[i : i + _FAN_IN]) for i in range(0, len(partials), _FAN_IN)]
    return partials[0]


def fit_kmeans(
    client: Any,
    parts: list[Any],
    id_field: str,
    columns: list[str],
    n_rows: int,
    n_clusters: int,
    *,
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int = 42,
    init: str | np.ndarray = "k-means||",
    n_init: int = 1,
    sample_size: int = 1 << 15,
    block: int = 1 << 15,
) -> KMeansResult:
    """Fit k-means on the partitions ``parts`` (futures of frames holding ``columns``).

    Args:
        client: the client of the partitions.
        parts: one future per partition.
        id_field: the id column (it seeds the sample).
        columns: the (normalised) embedding columns.
        n_rows: documents in all partitions.
        n_clusters: ``k``.
        max_iter: Lloyd iterations at most per run.
        tol: stop when the centroids' squared shift is at most ``tol`` times the data's mean variance.
        random_state: seed of the sample and of k-means++.
        init: ``"k-means||"`` / ``"k-means++"``, ``"random"``, or a ``k x d`` array.
        n_init: runs with seeds ``random_state + i``; the lowest inertia wins.
        sample_size: rows the initialisation draws from (at least ``2 * n_clusters``).
        block: rows per distance block (memory ``block x n_clusters`` floats per task).
    """
    best: tuple[Any, int, float] | None = None
    size = min(n_rows, max(sample_size, 2 * n_clusters))
    matrices = [client.submit(partition_matrix, p, columns) for p in parts]  # read once, used every iteration
    for run in range(n_init if not isinstance(init, np.ndarray) else 1):
        seed = random_state + run
        if isinstance(init, np.ndarray):
            [centroids] = client.scatter([np.asarray(init, dtype=np.float32)])
        else:
            # a little above size/n_rows so that the sample almost always holds `size` rows
            fraction = min(1.0, 1.2 * size / n_rows + 64 / n_rows)
            threshold = min(int(fraction * float(1 << 64)), (1 << 64) - 1)
            samples = [client.submit(_sample, p, id_field, columns, seed, threshold) for p in parts]
            centroids = client.submit(_init_centroids, samples, columns, n_clusters, size, init, seed)
        centroids, iterations, inertia = _lloyd(client, matrices, centroids, max_iter, tol, block)
        logger.debug("k-means run %d: %d iterations, inertia %.6g", run, iterations, inertia)
        if best is None or inertia < best[2]:
            best = (centroids, iterations, inertia)
    assert best is not None
    return KMeansResult(centroids=best[0].result(), iterations=best[1], inertia=best[2])


def _lloyd(
    client: Any, matrices: list[Any], centroids: Any, max_iter: int, tol: float, block: int
) -> tuple[Any, int, float]:
    """Lloyd iterations from the centroids future ``centroids``; only three numbers per iteration reach the driver."""
    inertia, iterations, tol_scaled = float("inf"), 0, None
    for iterations in range(1, max_iter + 1):  # noqa: B007
        total = _reduce(client, [client.submit(_partial, m, centroids, block) for m in matrices])
        step = client.submit(_update, total, centroids)
        centroids = client.submit(operator.itemgetter(0), step)
        shift, inertia, variance = client.submit(operator.itemgetter(1, 2, 3), step).result()
        tol_scaled = tol * variance if tol_scaled is None else tol_scaled
        if shift <= tol_scaled:
            break
    return centroids, iterations, inertia


def assign_clusters(df: Any, columns: list[str], centroids: Any, block: int) -> Any:
    """A partition with its nearest centroid and NeMo's two distances to it.

    ``l2_dist_to_cent`` is the L2 distance from the (unit) embedding to the centroid,
    ``cosine_dist_to_cent`` one minus the cosine similarity to it, as NeMo Curator writes them.
    """
    x = partition_matrix(df, columns)
    xp = array_module(x)
    c = xp.asarray(centroids)
    labels, _ = nearest_centroids(x, c, block)
    nearest = c[labels]
    unit = nearest / xp.maximum(xp.linalg.norm(nearest, axis=1, keepdims=True), 1e-12)
    l2 = xp.sqrt(((x - nearest) ** 2).sum(axis=1))
    cosine = 1.0 - (x * unit).sum(axis=1)
    added = frame_from_arrays(df, {CENTROID_COL: labels, L2_DIST_TO_CENT_COL: l2, COSINE_DIST_TO_CENT_COL: cosine})
    added.index = df.index
    return df.assign(**{name: added[name] for name in added.columns})
