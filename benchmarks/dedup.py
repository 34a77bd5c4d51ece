"""Deduplication benchmark: exact dedup, MinHash against datasketch, fuzzy dedup on 1 and 2 workers.

All on one generated corpus (``curator_dask.examples.corpus.near_duplicates``):

1. Exact dedup rows per second (``ExactDeduplicationWorkflow`` from Parquet files to files).
2. MinHash signatures per second, one process and one thread: ours (the numba kernel when numba
   is installed, and the numpy code) against ``rensa.RMinHash`` (Rust, ``RAYON_NUM_THREADS=1``) on
   the same documents, ``num_perm`` and 24-character shingles: once from the text as a user calls
   it (shingles built in Python, then ``update``), then on shingle lists built beforehand (its
   kernel alone: ``update`` per document, and ``digest_matrix_from_token_sets``). rensa hashes
   shingles its own way, so its signatures differ from ours. Then, on the first
   ``--datasketch-docs`` documents (it is slow), ``datasketch.MinHash`` (``update_batch``, its
   default ``affine32`` scheme) computing the same signatures as ours (datasketch is given our
   shingle hash; the signatures are checked equal), and datasketch with its own SHA-1 hash.
3. End-to-end ``FuzzyDeduplicationWorkflow`` seconds on a ``LocalCluster`` of 1 and of 2
   single-threaded workers, with each worker's peak RSS (psutil, sampled every 50 ms on the worker).
4. With ``--datatrove-python``: datatrove's 4-step MinHash pipeline (signatures, buckets, clusters,
   filter; 20 buckets x 13 hashes, its word 5-gram shingles) on a local executor with as many
   processes, on the same documents (as JSONL), in its own virtual environment
   (``benchmarks/_datatrove_minhash.py``); the seconds of both, their ratio, and the documents each
   removes (datatrove shingles words, we shingle 24 characters: the sets differ a little). When
   the given interpreter does not exist, its virtual environment is created there first
   (``python3 -m venv`` and ``pip install "datatrove[processing]" spacy orjson``).
5. With ``--scale N`` (alone): fuzzy dedup on 2 workers at N and 10 N documents (8 files, or files
   of ``--docs-per-file`` documents), with the seconds and the whole process tree's peak memory
   (driver, scheduler, nannies, workers) per step (the stage's step log marks them: reading and
   MinHash, checks, LSH buckets, buckets to edges, Jaccard when on, connected components, removal
   and writing) and overall, and the 10x ratios. The corpus is written by a child process that
   has exited before the measurement, so its generation is not counted.

Usage: ``python benchmarks/dedup.py [--docs 20000] [--words 300] [--minhash-docs 2000]
[--datasketch-docs 200] [--datatrove-python /tmp/dt/bin/python] [--quick]``.
Needs ``datasketch``, ``rensa`` and ``psutil`` (the ``bench`` extra; rensa is skipped when absent).
Timings on a shared machine are noisy: each MinHash rate is the best of three runs, and the load
average is printed with them.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before rensa starts its thread pool: one core

import argparse
import functools
import importlib.util
import json
import logging
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.backends.dask import DaskExecutor
from curator_dask.examples.corpus import near_duplicates, write_jsonl, write_parquet
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow, MinHasher
from curator_dask.stages.deduplication._steps import STEP_LOGGER
from curator_dask.stages.deduplication.fuzzy.minhash import shingle_hash, shingles

NUM_HASHES = 260  # 20 bands x 13, NeMo Curator's default


def write_corpus(docs: int, words: int, folder: Path, files: int = 8) -> pd.DataFrame:
    """The generated corpus as ``files`` Parquet files under ``folder`` (and JSONL under ``folder``-jsonl)."""
    corpus = near_duplicates(docs, seed=0, words=words)
    write_parquet(folder, corpus, files)
    write_jsonl(folder.with_name(folder.name + "-jsonl"), corpus, files)
    return corpus


def datatrove_python(python: str) -> str:
    """``python``, creating its virtual environment with datatrove first when it does not exist."""
    if not Path(python).exists():
        venv = Path(python).parents[1]
        print(f"creating datatrove's virtual environment in {venv} (once) ...", flush=True)
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "datatrove[processing]", "spacy", "orjson"]
        subprocess.run(pip, check=True)
    return python


def run_datatrove(python: str, jsonl: Path, work: Path, workers: int) -> tuple[float, dict[str, Any]]:
    """Wall seconds of datatrove's pipeline (its process start included) and what it printed."""
    script = Path(__file__).with_name("_datatrove_minhash.py")
    began = time.perf_counter()
    done = subprocess.run(
        [python, str(script), str(jsonl), str(work), "--workers", str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"datatrove's pipeline failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def kept_ids(folder: Path) -> set[str]:
    """The ids in the Parquet files a workflow wrote under ``folder``."""
    return set(pd.read_parquet(folder, columns=["id"])["id"])


def _best_rate(run: Any, docs: int, repeats: int = 3) -> float:
    """Documents per second of ``run()``, best of ``repeats`` runs (the least disturbed by load)."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return docs / best


def bench_minhash(texts: list[str], datasketch_docs: int) -> dict[str, float]:
    """Single-thread MinHash rates in documents per second, keyed by implementation."""
    import datasketch

    n = len(texts)
    rates: dict[str, float] = {}
    engines = ["numba", "numpy"] if importlib.util.find_spec("numba") else ["numpy"]
    for engine in engines:
        hasher = MinHasher(num_hashes=NUM_HASHES, seed=42, engine=engine)
        hasher.signatures(texts[:2])  # compiles (or loads) the numba kernel outside the timing
        rates[f"ours ({engine})"] = _best_rate(lambda h=hasher: h.signatures(texts), n)
    if importlib.util.find_spec("rensa"):
        from rensa import RMinHash

        def rensa_per_document(documents: list[Any]) -> None:
            for shingled in documents:
                m = RMinHash(NUM_HASHES, 42)
                m.update(shingled() if callable(shingled) else shingled)
                m.digest()

        token_sets = [shingles(text, 24) for text in texts]
        rates["rensa, from text"] = _best_rate(
            lambda: rensa_per_document([functools.partial(shingles, text, 24) for text in texts]), n
        )
        rates["rensa, shingles prebuilt"] = _best_rate(lambda: rensa_per_document(token_sets), n)
        rates["rensa matrix, shingles prebuilt"] = _best_rate(
            lambda: RMinHash.digest_matrix_from_token_sets(token_sets, NUM_HASHES, 42), n
        )
    texts = texts[:datasketch_docs]
    n = len(texts)
    ours = MinHasher(num_hashes=NUM_HASHES, seed=42).signatures(texts)
    began = time.perf_counter()
    same = []
    for text in texts:
        m = datasketch.MinHash(num_perm=NUM_HASHES, seed=42, hashfunc=shingle_hash)
        m.update_batch(shingles(text, 24))
        same.append(m.hashvalues)
    rates["datasketch, same signatures"] = n / (time.perf_counter() - began)
    assert np.array_equal(np.array(same), ours), "signatures differ from datasketch's"
    began = time.perf_counter()
    for text in texts:
        datasketch.MinHash(num_perm=NUM_HASHES, seed=42).update_batch([s.encode() for s in shingles(text, 24)])
    rates["datasketch, SHA-1 shingle hash"] = n / (time.perf_counter() - began)
    return rates


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


def run_on_cluster(workers: int, workflow: Any, tree: list[float] | None = None) -> tuple[float, Any, list[float]]:
    """Seconds, report and per-worker peak RSS (MiB) of ``workflow``; the whole tree's peak appended to ``tree``."""
    from distributed import Client, LocalCluster
    from heuristic_filters import PeakMemory  # this process and its children: scheduler, nannies, workers

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, memory_limit="6GiB")
    with cluster, Client(cluster) as client, PeakMemory([os.getpid()]) as whole:
        client.run(_sample_peak_rss)
        began = time.perf_counter()
        report = workflow.run(DaskExecutor(client=client, config={"progress": False}))
        seconds = time.perf_counter() - began
        peaks = [v / 2**20 for v in client.run(_stop_rss).values()]
    if tree is not None:
        tree.append(whole.peak / 2**30)
    return seconds, report, peaks


class StepMemory(logging.Handler):
    """The whole process tree's peak RSS and seconds per step, as the dedup step log marks them.

    One ``heuristic_filters.PeakMemory`` (this process and its children: scheduler, nannies,
    workers, sampled every 50 ms) per step: ``read`` until the first step starts, then each step
    from its start (a log record of ``curator_dask.stages.deduplication.steps``), and ``write``
    once a ``removal`` step has ended. A step that runs several times (one per band group) keeps
    its highest peak and its total seconds.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.peaks: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.peak = 0.0
        self._label = "read"
        self._lock = threading.Lock()
        self._sampler: Any = None
        self._since = 0.0

    def _switch(self, label: str | None) -> None:
        from heuristic_filters import PeakMemory

        with self._lock:
            if self._sampler is not None:
                self._sampler.__exit__()
                gib = self._sampler.peak / 2**30
                self.peaks[self._label] = max(self.peaks.get(self._label, 0.0), gib)
                self.seconds[self._label] = self.seconds.get(self._label, 0.0) + time.perf_counter() - self._since
                self.peak = max(self.peak, gib)
            self._sampler = None if label is None else PeakMemory([os.getpid()]).__enter__()
            self._label, self._since = label or "", time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        step, phase = getattr(record, "dedup_step", None), getattr(record, "dedup_phase", None)
        if phase == "start":
            self._switch(str(step))
        elif phase == "end" and step == "removal":
            self._switch("write")

    def __enter__(self) -> StepMemory:
        logger = logging.getLogger(STEP_LOGGER)
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        self._switch(self._label)
        return self

    def __exit__(self, *exc: object) -> None:
        self._switch(None)
        logging.getLogger(STEP_LOGGER).removeHandler(self)


def scale_run(
    n: int, words: int, root: Path, shuffle_method: str, docs_per_file: int | None
) -> tuple[StepMemory, float, Any]:
    """One fuzzy dedup run on 2 workers over ``n`` generated documents: per-step memory, seconds, report."""
    from distributed import Client, LocalCluster

    folder = root / f"scale{n}"
    files = 8 if docs_per_file is None else -(-n // docs_per_file)
    # the corpus is made in a child process that has exited before the measurement starts: its
    # generation (several hundred MiB at 125k documents) would otherwise stay in this process's RSS
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(write_corpus, n, words, folder, files).result()
    fuzzy = FuzzyDeduplicationWorkflow(
        output_path=str(root / f"scale-out{n}"), input_path=str(folder), shuffle_method=shuffle_method
    )
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit="6GiB")
    with cluster, Client(cluster) as client, StepMemory() as memory:
        began = time.perf_counter()
        report = fuzzy.run(DaskExecutor(client=client, config={"progress": False}))
        seconds = time.perf_counter() - began
    return memory, seconds, report


def scale(docs: int, words: int, root: Path, shuffle_method: str = "tasks", docs_per_file: int | None = None) -> None:
    """Fuzzy dedup on 2 workers at ``docs`` and ``10 * docs`` documents: seconds and peak memory per step.

    The corpus is 8 files at both sizes (each batch, one file, then holds 10x the documents), or
    with ``docs_per_file`` files of that many documents (10x the files at 10x the documents).
    """
    runs = [(n, *scale_run(n, words, root, shuffle_method, docs_per_file)) for n in (docs, 10 * docs)]
    (n0, small, s0, _), (n1, large, s1, r1) = runs
    for n, _, seconds, report in runs:
        print(f"fuzzy dedup at {n} documents, 2 workers: {seconds:.1f} s, {report.documents_removed} removed")
    print(f"{'step':22s} {n0:>7d} docs: s  peak GiB {n1:>7d} docs: s  peak GiB   10x: time  memory")
    names = list(large.peaks) + [k for k in small.peaks if k not in large.peaks]
    # "read" lasts until the workflow's first mark: only the instant before it, when it marks at once
    names = [k for k in names if max(small.seconds.get(k, 0.0), large.seconds.get(k, 0.0)) >= 0.05]
    for name in names:
        a_s, b_s = small.seconds.get(name, 0.0), large.seconds.get(name, 0.0)
        a_m, b_m = small.peaks.get(name, 0.0), large.peaks.get(name, 0.0)
        ratio_s = f"{b_s / a_s:9.1f}x" if a_s else f"{'':10s}"
        ratio_m = f"{b_m / a_m:6.2f}x" if a_m else ""
        print(f"{name:22s} {a_s:13.2f} {a_m:9.2f} {b_s:13.2f} {b_m:9.2f} {ratio_s} {ratio_m}")
    p0, p1 = small.peak, large.peak
    print(f"{'whole run':22s} {s0:13.2f} {p0:9.2f} {s1:13.2f} {p1:9.2f} {s1 / s0:9.1f}x {p1 / p0:6.2f}x")
    layout = "8 files" if docs_per_file is None else f"{docs_per_file} documents per file"
    print(
        f"  (whole process tree's peak RSS: driver, scheduler, nannies, workers; {layout}; {shuffle_method!r} shuffle;"
    )
    print(f"  load {os.getloadavg()[0]:.1f}; the stage's own step seconds: {r1.get_metadata('step_seconds')})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--minhash-docs", type=int, default=2000)
    parser.add_argument("--datasketch-docs", type=int, default=200)
    parser.add_argument("--datatrove-python", help="datatrove's virtual environment's python (created if missing)")
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 500 for MinHash, 50 for datasketch")
    parser.add_argument("--scale", type=int, metavar="N", help="only fuzzy dedup at N and 10 N documents (memory)")
    parser.add_argument("--shuffle-method", choices=["tasks", "p2p"], default="tasks", help="for --scale")
    parser.add_argument(
        "--docs-per-file", type=int, help="for --scale: files of this many documents (default: 8 files)"
    )
    args = parser.parse_args()
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            scale(args.scale, args.words, Path(tmp), args.shuffle_method, args.docs_per_file)
        return
    if args.quick:
        args.docs, args.minhash_docs, args.datasketch_docs = 2000, 500, 50
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = write_corpus(args.docs, args.words, root / "in")
        texts = list(corpus["text"])
        chars = sum(map(len, texts)) / len(texts)
        print(f"corpus: {len(texts)} documents, {chars:.0f} characters on average, 8 Parquet files")

        rates = bench_minhash(texts[: args.minhash_docs], args.datasketch_docs)
        ours = max(v for k, v in rates.items() if k.startswith("ours"))
        print(f"MinHash ({NUM_HASHES} hashes, 24-char shingles), one thread, docs/s (load {os.getloadavg()[0]:.1f}):")
        for name, rate in rates.items():
            ratio = "" if name.startswith("ours") else f"   ours is {ours / rate:.2f}x per core"
            print(f"  {name:32s} {rate:10.0f}{ratio}")

        exact = ExactDeduplicationWorkflow(output_path=str(root / "exact"), input_path=str(root / "in"))
        seconds, report, peaks = run_on_cluster(2, exact)
        print(
            f"exact dedup, 2 workers: {seconds:.1f} s end to end, {report.documents_in / seconds:.0f} rows/s, "
            f"{report.documents_removed} removed, peak RSS per worker {[round(p) for p in peaks]} MiB"
        )

        fuzzy_s = 0.0
        for workers in (1, 2):
            fuzzy = FuzzyDeduplicationWorkflow(output_path=str(root / f"fuzzy{workers}"), input_path=str(root / "in"))
            fuzzy_s, report, peaks = run_on_cluster(workers, fuzzy)
            print(
                f"fuzzy dedup, {workers} worker(s): {fuzzy_s:.1f} s end to end ({report.documents_in / fuzzy_s:.0f} "
                f"docs/s), {report.duplicate_groups} groups, {report.documents_removed} removed, "
                f"peak RSS per worker {[round(p) for p in peaks]} MiB"
            )
        if args.datatrove_python:
            ours_removed = set(corpus["id"]) - kept_ids(root / "fuzzy2")
            python = datatrove_python(args.datatrove_python)
            dt_s, dt = run_datatrove(python, root / "in-jsonl", root / "datatrove", workers=2)
            dt_removed = set(dt["removed"])
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in dt["seconds"].items())
            print(f"datatrove MinHash (20 buckets x 13 hashes), 2 processes: {dt_s:.1f} s end to end ({steps})")
            both = len(ours_removed & dt_removed)
            print(
                f"  removed: ours {len(ours_removed)}, datatrove {len(dt_removed)}, both {both}, "
                f"only ours {len(ours_removed - dt_removed)}, only datatrove {len(dt_removed - ours_removed)}"
            )
            print(
                f"  fuzzy dedup on 2 workers is {dt_s / fuzzy_s:.1f}x datatrove's speed (load {os.getloadavg()[0]:.1f})"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
