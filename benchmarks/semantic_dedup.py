"""Semantic deduplication benchmark: ours on 2 CPU workers against scikit-learn in one process.

Data: ``--rows`` random ``--dim``-dimension embeddings with planted near-duplicates (5% of the rows
are groups of 2 to 4 noisy copies; ``curator_dask.stages.deduplication.semantic.synthetic``),
generated in ``--parts`` partitions on the workers; the baseline generates the same rows in its
own process. Both run the same steps, each timed:

1. k-means: normalise, k-means++ on a 32,768-row sample, ``--iters`` Lloyd iterations (``tol=0``,
   so both run every iteration), assign every row. Ours: ``SemanticDuplicateIdentification`` on a
   ``LocalCluster`` of 2 single-threaded workers; the baseline: ``sklearn.cluster.kmeans_plusplus``
   and ``KMeans(init=..., n_init=1)`` with its threads (2 cores).
2. shuffle by cluster: Dask's shuffle; the baseline sorts the rows by cluster.
3. pairwise: per cluster, ranked ``hard`` (farthest from the centroid first), the highest cosine
   similarity to a higher-ranked member; the baseline uses ``sklearn.metrics.pairwise.cosine_similarity``.

Prints seconds per step, the ratio baseline / ours, peak RSS per worker (psutil, sampled every
50 ms), the driver's peak RSS, and the recall of the planted duplicates at ``eps=0.01`` for both.

Usage: ``python benchmarks/semantic_dedup.py [--rows 1000000] [--dim 256] [--clusters 500]
[--iters 10] [--parts 20]`` or ``--quick`` (50,000 rows, 50 clusters). Needs scikit-learn and psutil.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from benchmarks.dedup import _sample_peak_rss, _stop_rss
from curator_dask.stages.deduplication.semantic import SemanticDuplicateIdentification
from curator_dask.stages.deduplication.semantic.synthetic import planted_embeddings

EPS = 0.01
SAMPLE = 1 << 15


def make_part(part: int, rows: int, dim: int) -> pd.DataFrame:
    """Partition ``part``: ``rows`` rows, 5% of them in planted groups of 2 to 4 copies (seeded by ``part``)."""
    groups = [planted_embeddings(rows // 80, copies, 0, dim, seed=1000 * part + copies) for copies in (2, 3, 4)]
    planted = sum(len(g) for g in groups)
    alone = planted_embeddings(0, 1, rows - planted, dim, seed=1000 * part)
    frames = [g.assign(group=np.where(g["group"] >= 0, g["group"] + 10_000 * k, -1)) for k, g in enumerate(groups)]
    out = pd.concat([*frames, alone], ignore_index=True)
    out["group"] = np.where(out["group"] >= 0, out["group"] + 100_000 * part, -1)
    return out.assign(id=[f"p{part:03d}-{i:07d}" for i in range(len(out))])


def recall(removed: set[str], truth: pd.DataFrame) -> tuple[float, int]:
    """Share of planted duplicates (all but one per group) removed; singletons removed."""
    planted = truth[truth["group"] >= 0]
    wanted = len(planted) - planted["group"].nunique()
    hit = truth["id"].isin(removed)
    return float((hit & (truth["group"] >= 0)).sum() / wanted), int((hit & (truth["group"] < 0)).sum())


def ours(args: argparse.Namespace) -> tuple[dict[str, float], set[str], list[float]]:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    stage = SemanticDuplicateIdentification(
        n_clusters=args.clusters, eps=EPS, max_iter=args.iters, tol=0.0, init_sample_size=SAMPLE
    )
    rows = args.rows // args.parts
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit="9GiB") as cluster,
        Client(cluster) as client,
        dask.config.set(stage.collection_options()),
    ):
        frames = client.persist(
            dd.from_map(make_part, range(args.parts), rows=rows, dim=args.dim)[["id", "embeddings"]]
        )
        client.gather(client.compute(frames.shape[0]))
        client.run(_sample_peak_rss)
        began = time.perf_counter()
        removed = set(stage.process_collection(frames).compute()["id"])
        total = time.perf_counter() - began
        peaks = [v / 2**20 for v in client.run(_stop_rss).values()]
    metrics = stage._consume_custom_metrics()
    steps = {k: metrics[f"{k}_s"] for k in ("kmeans", "shuffle", "pairwise")}
    return steps | {"total": total}, removed, peaks


def baseline(args: argparse.Namespace, truth: pd.DataFrame) -> tuple[dict[str, float], set[str]]:
    from sklearn.cluster import KMeans, kmeans_plusplus
    from sklearn.metrics.pairwise import cosine_similarity

    steps: dict[str, float] = {}
    began = time.perf_counter()
    x = np.stack(truth["embeddings"].to_numpy()).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sample = x[np.random.default_rng(0).choice(len(x), min(SAMPLE, len(x)), replace=False)]
    centers, _ = kmeans_plusplus(sample, args.clusters, random_state=0)
    km = KMeans(args.clusters, init=centers, n_init=1, max_iter=args.iters, tol=0.0).fit(x)
    labels = km.predict(x)
    nearest = km.cluster_centers_[labels]
    distance = 1.0 - (x * (nearest / np.linalg.norm(nearest, axis=1, keepdims=True))).sum(axis=1)
    steps["kmeans"] = time.perf_counter() - began
    began = time.perf_counter()
    order = np.lexsort((-distance, labels))  # by cluster, then farthest first
    xs, ls, ids = x[order], labels[order], truth["id"].to_numpy()[order]
    bounds = np.flatnonzero(np.diff(ls)) + 1
    steps["shuffle"] = time.perf_counter() - began
    began = time.perf_counter()
    removed: set[str] = set()
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(ls)], strict=True):
        sims = np.tril(cosine_similarity(xs[lo:hi]), k=-1)
        removed.update(ids[lo:hi][sims.max(axis=1, initial=0.0) >= 1 - EPS])
    steps["pairwise"] = time.perf_counter() - began
    return steps | {"total": sum(steps.values())}, removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--clusters", type=int, default=500)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--parts", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="50,000 rows, 50 clusters, 4 partitions")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.clusters, args.parts = 50_000, 50, 4
    print(
        f"{args.rows:,} x {args.dim}, {args.clusters} clusters, {args.iters} iterations, load {os.getloadavg()[0]:.1f}"
    )
    mine, removed, peaks = ours(args)
    print("ours (2 workers) s: " + ", ".join(f"{k} {v:.2f}" for k, v in mine.items()), flush=True)
    truth = pd.concat([make_part(p, args.rows // args.parts, args.dim) for p in range(args.parts)], ignore_index=True)
    theirs, their_removed = baseline(args, truth)
    print(f"{'step':10} {'ours (2 workers) s':>20} {'sklearn (1 process) s':>22} {'sklearn / ours':>15}")
    for step in ("kmeans", "shuffle", "pairwise", "total"):
        print(f"{step:10} {mine[step]:20.2f} {theirs[step]:22.2f} {theirs[step] / max(mine[step], 1e-9):15.2f}")
    for name, ids in (("ours", removed), ("sklearn", their_removed)):
        share, singles = recall(ids, truth)
        print(f"{name}: {len(ids):,} removed, recall of planted duplicates {share:.4f}, singletons removed {singles}")
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak RSS per worker {[round(p) for p in peaks]} MiB; driver (baseline) peak RSS {driver} MiB")


if __name__ == "__main__":
    main()
