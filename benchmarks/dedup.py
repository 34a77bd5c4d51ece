"""Deduplication benchmark: exact dedup, MinHash against datasketch, fuzzy dedup on 1 and 2 workers.

All on one generated corpus (``curator_dask.stages.deduplication.synthetic.make_corpus``):

1. Exact dedup rows per second (``ExactDeduplicationWorkflow`` from Parquet files to files).
2. MinHash signatures per second, single process: ours (numpy) against ``datasketch.MinHash``
   (``update_batch``, its default ``affine32`` scheme) computing the same signatures: datasketch is
   given our shingle hash, and the signatures are checked equal. Also datasketch with its own
   default SHA-1 shingle hash (different signatures, its usual speed).
3. End-to-end ``FuzzyDeduplicationWorkflow`` seconds on a ``LocalCluster`` of 1 and of 2
   single-threaded workers, with each worker's peak RSS (psutil, sampled every 50 ms on the worker).

Usage: ``python benchmarks/dedup.py [--docs 20000] [--words 300] [--minhash-docs 2000]``.
Needs ``datasketch`` and ``psutil`` (the ``bench`` extra). Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from curator_dask.backends.dask import DaskExecutor
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow, MinHasher
from curator_dask.stages.deduplication.fuzzy.minhash import shingle_hash, shingles
from curator_dask.stages.deduplication.synthetic import make_corpus

NUM_HASHES = 260  # 20 bands x 13, NeMo Curator's default


def write_corpus(docs: int, words: int, folder: Path, files: int = 8) -> list[str]:
    corpus = make_corpus(docs, words=words, seed=0)[["id", "text"]]
    folder.mkdir(parents=True)
    for k in range(files):
        corpus.iloc[k::files].to_parquet(folder / f"part{k:02d}.parquet")
    return list(corpus["text"])


def bench_minhash(texts: list[str]) -> dict[str, float]:
    import datasketch

    hasher = MinHasher(num_hashes=NUM_HASHES, seed=42)
    began = time.perf_counter()
    ours = hasher.signatures(texts)
    ours_s = time.perf_counter() - began
    began = time.perf_counter()
    same = []
    for text in texts:
        m = datasketch.MinHash(num_perm=NUM_HASHES, seed=42, hashfunc=shingle_hash)
        m.update_batch(shingles(text, 24))
        same.append(m.hashvalues)
    ref_s = time.perf_counter() - began
    assert np.array_equal(np.array(same), ours), "signatures differ from datasketch's"
    began = time.perf_counter()
    for text in texts:
        datasketch.MinHash(num_perm=NUM_HASHES, seed=42).update_batch([s.encode() for s in shingles(text, 24)])
    sha1_s = time.perf_counter() - began
    n = len(texts)
    return {"ours": n / ours_s, "datasketch_same": n / ref_s, "datasketch_sha1": n / sha1_s}


def _sample_peak_rss(dask_worker: Any) -> int:
    """Runs on a worker (``client.run``): samples its RSS every 50 ms in a background thread."""
    import psutil

    state = dask_worker.__dict__.setdefault("_bench_rss", {"peak": 0, "run": True})

    def sample() -> None:
        proc = psutil.Process()
        while state["run"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    return 0


def _stop_rss(dask_worker: Any) -> int:
    """Stops the sampling; the worker's peak RSS in bytes."""
    state = dask_worker.__dict__["_bench_rss"]
    state["run"] = False
    return int(state["peak"])


def run_on_cluster(workers: int, workflow: Any) -> tuple[float, Any, list[float]]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, memory_limit="6GiB")
    with cluster, Client(cluster) as client:
        client.run(_sample_peak_rss)
        began = time.perf_counter()
        report = workflow.run(DaskExecutor(client=client, config={"progress": False}))
        seconds = time.perf_counter() - began
        peaks = [v / 2**20 for v in client.run(_stop_rss).values()]
    return seconds, report, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--minhash-docs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        texts = write_corpus(args.docs, args.words, root / "in")
        chars = sum(map(len, texts)) / len(texts)
        print(f"corpus: {len(texts)} documents, {chars:.0f} characters on average, 8 Parquet files")

        rates = bench_minhash(texts[: args.minhash_docs])
        print(f"MinHash ({NUM_HASHES} hashes, 24-char shingles), one process, docs/s:")
        print(f"  ours (numpy)                        {rates['ours']:10.0f}")
        print(
            f"  datasketch, same signatures (equal) {rates['datasketch_same']:10.0f}"
            f"   ours is {rates['ours'] / rates['datasketch_same']:.1f}x per core"
        )
        print(
            f"  datasketch, its SHA-1 shingle hash  {rates['datasketch_sha1']:10.0f}"
            f"   ours is {rates['ours'] / rates['datasketch_sha1']:.1f}x per core"
        )

        exact = ExactDeduplicationWorkflow(output_path=str(root / "exact"), input_path=str(root / "in"))
        seconds, report, peaks = run_on_cluster(2, exact)
        print(
            f"exact dedup, 2 workers: {seconds:.1f} s end to end, {report.documents_in / seconds:.0f} rows/s, "
            f"{report.documents_removed} removed, peak RSS per worker {[round(p) for p in peaks]} MiB"
        )

        for workers in (1, 2):
            fuzzy = FuzzyDeduplicationWorkflow(output_path=str(root / f"fuzzy{workers}"), input_path=str(root / "in"))
            seconds, report, peaks = run_on_cluster(workers, fuzzy)
            print(
                f"fuzzy dedup, {workers} worker(s): {seconds:.1f} s end to end ({report.documents_in / seconds:.0f} "
                f"docs/s), {report.duplicate_groups} groups, {report.documents_removed} removed, "
                f"peak RSS per worker {[round(p) for p in peaks]} MiB"
            )


if __name__ == "__main__":
    main()
