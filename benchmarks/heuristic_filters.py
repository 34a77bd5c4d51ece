"""Throughput of NeMo Curator's 28-filter English heuristic cascade on DaskExecutor.

One run, one generated corpus, three ways of applying the same filters:

- ``DaskExecutor``: JSONL reader -> 28 ScoreFilter stages -> Parquet writer on a LocalCluster
  (one single-threaded worker process per core; see ``WORKER_ENV``);
- ``pandas loop``: one process reads each file with pandas, applies the same filters' vectorised
  batch path (``decide_batch``, as ScoreFilter without scores) in order and writes Parquet (the
  per-core floor for this code);
- ``per-document``: one process applying ``score_document`` / ``keep_document`` document by
  document, as NeMo Curator's filters do (on a subset; NeMo 1.4 on Ray: ~600 docs/s on 2 cores).

It checks that all three keep exactly the same documents and prints documents per second, the
ratios, the peak resident memory of the whole process tree, and the CPU seconds spent (the
workers' own, read with ``client.run``, plus the driver's; the loop's own): on a machine shared
with other work, docs per CPU second compares the two ways where wall time cannot.

``--per-filter`` also prints each filter's CPU seconds in the pandas loop, on the generated corpus
and on real English text installed on this machine (licences, package copyright files, the
standard library's docstrings). ``--scale N`` runs the cascade on DaskExecutor at N and 10 N
documents and prints docs/s, peak memory and CPU seconds of both, and their ratios.

Usage: ``python benchmarks/heuristic_filters.py [--docs 200000] [--files 40] [--per-doc 10000]
[--per-filter] [--scale 50000] [--quick]``
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dask
import pandas as pd
import psutil
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.examples.corpus import documents, write_jsonl
from curator_dask.examples.heuristic_english import english_heuristic_filters
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import ParquetWriter


class PeakMemory:
    """Samples the summed RSS of a set of processes (and their children) in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(p) for p in pids]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for proc in self.procs:
                with contextlib.suppress(psutil.Error):  # a process may exit between the calls
                    total += proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive mmap
# threshold: every NumPy array over 128 KiB is then mapped, page-faulted in and unmapped afresh,
# which makes this cascade about twice as slow per core. None leaves glibc's default.
WORKER_ENV = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@dataclass
class Run:
    """One way of applying the cascade: wall and CPU seconds, the ids kept, the tree's peak RSS."""

    seconds: float
    cpu_seconds: float
    kept: set[str]
    peak: int


def _cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def run_dask(input_dir: Path, output_dir: Path, workers: int, runs: int = 1) -> list[Run]:
    """The cascade on DaskExecutor ``runs`` times on one new cluster: fresh workers, then warm ones.

    A worker's first run also pays its one-off costs (unpickling the stages, loading numba's
    kernels, growing its heap); later runs on the same workers show the steady rate.
    """
    out = []
    with (
        dask.config.set(WORKER_ENV),
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        for i in range(runs):
            folder = output_dir if i == 0 else output_dir.with_name(f"{output_dir.name}-{i}")
            stages = [JsonlReader(file_paths=str(input_dir), files_per_partition=1)]
            stages += [ScoreFilter(f) for f in english_heuristic_filters()]
            stages.append(ParquetWriter(path=str(folder), mode="overwrite"))
            before = sum(client.run(_cpu_seconds).values()) + _cpu_seconds()
            with PeakMemory([os.getpid()]) as memory:
                start = time.perf_counter()
                Pipeline("heuristic", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))
                seconds = time.perf_counter() - start
            cpu = sum(client.run(_cpu_seconds).values()) + _cpu_seconds() - before
            out.append(Run(seconds, cpu, set(pd.read_parquet(folder, columns=["id"])["id"]), memory.peak))
    return out


def run_pandas_loop(input_dir: Path, output_dir: Path) -> Run:
    filters = english_heuristic_filters()
    output_dir.mkdir(parents=True, exist_ok=True)
    kept: set[str] = set()
    with PeakMemory([os.getpid()]) as memory:
        start, cpu = time.perf_counter(), time.process_time()
        for path in sorted(input_dir.glob("*.jsonl")):
            df = pd.read_json(path, lines=True)
            for f in filters:
                df = df[f.decide_batch(df["text"]).to_numpy()]  # what ScoreFilter does without score_field
            df.to_parquet(output_dir / f"{path.stem}.parquet")
            kept.update(df["id"])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Run(seconds, cpu, kept, memory.peak)


def per_filter_seconds(frames: list[pd.DataFrame]) -> tuple[dict[str, float], int]:
    """CPU seconds of each filter's ``decide_batch`` (and the row selection after it), over ``frames``."""
    filters = english_heuristic_filters()
    seconds: dict[str, float] = collections.defaultdict(float)
    kept = 0
    for frame in frames:
        df = frame
        for f in filters:
            start = time.process_time()
            df = df[f.decide_batch(df["text"]).to_numpy()]
            seconds[f.name] += time.process_time() - start
        kept += len(df)
    return seconds, kept


def real_english(limit_chars: int = 40_000_000) -> pd.DataFrame:
    """Real English text installed here: licences, packages' copyright files, the stdlib's docstrings."""
    texts = []
    licences = sorted(Path("/usr/share/common-licenses").glob("*")) + sorted(Path("/usr/share/doc").glob("*/copyright"))
    for path in licences:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts.append(path.read_text(encoding="utf-8"))
    for path in sorted(Path(os.__file__).parent.glob("*.py")):
        with contextlib.suppress(OSError, SyntaxError, UnicodeDecodeError, ValueError):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    doc = ast.get_docstring(node)
                    if doc and len(doc) >= 200:  # one-line docstrings are not documents
                        texts.append(doc)
    sizes = pd.Series([len(t) for t in texts]).cumsum()
    texts = texts[: int((sizes <= limit_chars).sum())]
    return pd.DataFrame({"id": [f"real-{i}" for i in range(len(texts))], "text": texts})


def print_per_filter(name: str, df: pd.DataFrame, batch: int) -> None:
    frames = [df.iloc[i : i + batch].reset_index(drop=True) for i in range(0, len(df), batch)]
    per_filter_seconds([frames[0].head(200)])  # compile (or load) the kernels outside the timing
    seconds, kept = per_filter_seconds(frames)
    total = sum(seconds.values())
    mchars = df["text"].str.len().sum() / 1e6
    print(f"per filter, {name}: {len(df)} documents ({mchars:.0f} M characters) in batches of {batch}, kept {kept}")
    print(f"  all 28 filters {total:7.2f} CPU s   {len(df) / total:7.0f} docs per CPU second")
    for filter_name, sec in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {filter_name:<28} {sec:7.3f} s  {100 * sec / total:5.1f}%")


def run_scale(root: Path, n: int, workers: int) -> None:
    """The cascade on DaskExecutor at ``n`` and ``10 n`` documents: throughput and memory as it grows."""
    runs = []
    for docs in (n, 10 * n):
        files = max(workers, round(docs / 5000))
        folder = root / f"scale-{docs}"
        write_corpus(folder / "input", docs, seed=2, files=files)
        (run,) = run_dask(folder / "input", folder / "out", workers)
        runs.append((docs, run))
        print(
            f"  {docs:>8} documents in {files:>4} files: {docs / run.seconds:8.0f} docs/s  {run.seconds:7.1f} s wall"
            f"  {run.cpu_seconds:7.1f} CPU s  {run.peak / 2**30:5.2f} GiB peak (whole process tree)"
        )
    (small_n, small), (big_n, big) = runs
    print(
        f"  10x documents: throughput x{(big_n / big.seconds) / (small_n / small.seconds):.2f}, "
        f"docs per CPU second x{(big_n / big.cpu_seconds) / (small_n / small.cpu_seconds):.2f}, "
        f"peak memory x{big.peak / small.peak:.2f}"
    )


def _write(folder: Path, docs: int, seed: int, files: int) -> None:
    write_jsonl(folder, documents(docs, seed=seed), files)


def write_corpus(folder: Path, docs: int, seed: int, files: int) -> None:
    """The generated corpus as JSONL files, made in a child process.

    The generator holds every document in memory at once; made in this process, that memory would
    stay in its RSS (the allocator keeps it) and count towards every later peak-memory figure.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_write, folder, docs, seed, files).result()


def run_per_document(input_dir: Path, limit: int) -> tuple[float, set[str], set[str], int]:
    filters = english_heuristic_filters()
    docs = pd.concat(pd.read_json(p, lines=True) for p in sorted(input_dir.glob("*.jsonl"))).head(limit)
    start = time.perf_counter()
    kept = {
        i
        for i, text in zip(docs["id"], docs["text"], strict=True)
        if all(f.keep_document(f.score_document(text)) for f in filters)
    }
    return time.perf_counter() - start, kept, set(docs["id"]), len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--per-doc", type=int, default=10_000, help="documents for the per-document loop")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--per-filter", action="store_true", help="each filter's CPU seconds, sample and real text")
    parser.add_argument("--scale", type=int, metavar="N", help="also run DaskExecutor at N and 10 N documents")
    parser.add_argument("--quick", action="store_true", help="20,000 documents (8 files, 2,000 per document)")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.files, args.per_doc = 20_000, 8, 2_000

    with tempfile.TemporaryDirectory(prefix="curator-bench-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        write_corpus(root / "input", args.docs, seed=1, files=args.files)
        size_mb = sum(p.stat().st_size for p in (root / "input").glob("*")) / 1e6
        took = time.perf_counter() - t
        print(f"corpus: {args.docs} documents, {size_mb:.0f} MB JSONL in {args.files} files ({took:.0f} s to generate)")

        dask_run, warm_run = run_dask(root / "input", root / "out-dask", args.workers, runs=2)
        loop = run_pandas_loop(root / "input", root / "out-loop")
        doc_s, doc_kept, doc_ids, doc_n = run_per_document(root / "input", args.per_doc)
        if args.scale:
            sizes = f"{args.scale} and {10 * args.scale} documents"
            print(f"scale: the cascade on DaskExecutor ({args.workers} workers), {sizes}")
            run_scale(root, args.scale, args.workers)
        if args.per_filter:
            sample = pd.concat(pd.read_json(p, lines=True) for p in sorted((root / "input").glob("*.jsonl")))
            print_per_filter("generated sample", sample.reset_index(drop=True), args.docs // args.files)
            print_per_filter("real English text", real_english(), 1000)

    for run in (dask_run, warm_run):
        if run.kept != loop.kept:
            sys.exit(f"DaskExecutor and the pandas loop disagree on {len(run.kept ^ loop.kept)} documents")
    if doc_kept != (loop.kept & doc_ids):
        sys.exit("the per-document path disagrees with the batch path")
    n = args.docs
    print(f"kept {len(loop.kept)} of {n} documents; identical keep/drop decisions in all three")
    rows = [
        (f"DaskExecutor ({args.workers} fresh workers)", n, dask_run.seconds, dask_run.cpu_seconds, dask_run.peak),
        ("DaskExecutor (the same, warm: 2nd run)", n, warm_run.seconds, warm_run.cpu_seconds, warm_run.peak),
        ("pandas loop (1 process)", n, loop.seconds, loop.cpu_seconds, loop.peak),
        (f"per-document (1 process, {doc_n} docs)", doc_n, doc_s, None, None),
    ]
    for name, docs, seconds, cpu, mem in rows:
        cpu_text = f"{cpu:7.1f} CPU s {docs / cpu:7.0f} docs/CPU s" if cpu else " " * 30
        peak = f"{mem / 2**20:7.0f} MiB peak RSS" if mem else ""
        print(f"  {name:<38} {docs / seconds:9.0f} docs/s  {seconds:7.1f} s  {cpu_text}  {peak}")
    dask_rate, loop_rate = n / dask_run.seconds, n / loop.seconds
    for label, run in (("fresh workers", dask_run), ("warm workers", warm_run)):
        speedup = n / run.seconds / loop_rate
        print(
            f"  DaskExecutor ({label}) / pandas loop: {speedup:.2f}x (per core: {speedup / args.workers:.2f}); "
            f"docs per CPU second: {loop.cpu_seconds / run.cpu_seconds:.2f} (1.00: no CPU beyond the filters' own)"
        )
    print(f"  DaskExecutor / per-document: {dask_rate / (doc_n / doc_s):.2f}x")
    print(f"  DaskExecutor / NeMo Curator 1.4 on Ray (600 docs/s measured on 2 cores): {dask_rate / 600:.1f}x")


if __name__ == "__main__":
    main()
