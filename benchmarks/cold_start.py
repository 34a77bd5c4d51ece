"""Cold start: NeMo Curator's 28-filter English cascade on ``DaskExecutor()`` from nothing.

``DaskExecutor()`` with no client starts a local cluster inside ``execute`` and shuts it down
after, as NeMo Curator's executors start and stop Ray. For a corpus of ~12,500 documents the
filters take a few CPU seconds in all, so the start-up and shut-down weigh on the end-to-end rate.
One run of this script measures, on the same generated corpus (JSONL in, Parquet out):

- ``DaskExecutor()`` from nothing, with the wall time split into driver preparation, cluster
  start (LocalCluster: scheduler, nannies, worker processes up and registered), post-start checks
  (waiting for workers, version report), stage plugin registration, the run (first chain submitted
  to last result), teardown (plugins removed, run files forgotten) and cluster close; per-worker
  start times (process created, registered with the scheduler); CPU seconds per process (driver
  main thread, event-loop thread that runs scheduler + nannies + client, other driver threads,
  each worker process, the forkserver);
- the same filters in one plain process (``heuristic_filters.run_pandas_loop``): the baseline;
- with ``--nemo`` (run with the interop venv, which has nemo_curator and ray): NeMo Curator's
  ``RayDataExecutor`` on the same pipeline built from its own classes, which starts and stops Ray.

All runs must keep the same documents. ``--importtime`` also prints the slowest imports of one
worker (``-X importtime``); ``--worker-profile`` the functions the workers spent the run in (Dask's
sampling profiler). Phase times come from wrapping a few client and cluster calls in this process
(``_cold_profile.ColdProfile``); the wrappers add well under a millisecond.

Usage: ``python benchmarks/cold_start.py [--docs 12500] [--files 16] [--quick] [--compare] [--nemo]
[--importtime] [--worker-profile]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Imports of the framework stay inside functions: a spawned worker re-runs this module's top level
# (Python's spawn start method imports the main script in each child), and a worker should import
# only what the framework itself needs.
sys.path.insert(0, str(Path(__file__).resolve().parent))  # heuristic_filters, _cold_profile
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.interop.nemo_parts (--nemo)


def our_stages(input_dir: Path, output_dir: Path) -> list[Any]:
    from curator_dask.examples.heuristic_english import english_heuristic_filters
    from curator_dask.stages.text.filters import ScoreFilter
    from curator_dask.stages.text.io.reader import JsonlReader
    from curator_dask.stages.text.io.writer import ParquetWriter

    stages: list[Any] = [JsonlReader(file_paths=str(input_dir), files_per_partition=1)]
    stages += [ScoreFilter(f) for f in english_heuristic_filters()]
    stages.append(ParquetWriter(path=str(output_dir), mode="overwrite"))
    return stages


def nemo_stages(input_dir: Path, output_dir: Path) -> list[Any]:
    """The same cascade from NeMo Curator's own classes (its YAML's filters and parameters)."""
    import importlib

    from nemo_curator.stages.text.filters import ScoreFilter
    from nemo_curator.stages.text.io.reader import JsonlReader
    from nemo_curator.stages.text.io.writer import ParquetWriter

    from tests.interop.nemo_parts import FILTER_SPECS

    stages: list[Any] = [JsonlReader(file_paths=str(input_dir), files_per_partition=1)]
    for module, cls, kwargs in FILTER_SPECS:
        mod = importlib.import_module(f"nemo_curator.stages.text.filters.heuristic.{module}")
        stages.append(ScoreFilter(getattr(mod, cls)(**kwargs)))
    stages.append(ParquetWriter(path=str(output_dir)))
    return stages


def kept_ids(folder: Path) -> set[str]:
    import pandas as pd

    return set(pd.read_parquet(folder, columns=["id"])["id"])


def run_ours(input_dir: Path, output_dir: Path, workers: int | None, start: str, worker_profile: bool) -> Any:
    import dask
    from _cold_profile import ColdProfile

    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.core import ClusterSpec
    from curator_dask.pipeline import Pipeline

    pipeline = Pipeline("cold_start", stages=our_stages(input_dir, output_dir))
    spec = ClusterSpec(n_workers=workers) if workers else None
    with dask.config.set({"curator_dask.worker-start": start}), ColdProfile(worker_profile) as profile:
        pipeline.run(DaskExecutor({"progress": False}, cluster=spec))
    return profile


def run_nemo(input_dir: Path, output_dir: Path) -> tuple[float, float]:
    """Wall and CPU seconds (this process and every Ray process it starts) of the Ray Data run."""
    from _cold_profile import TreeCpu
    from nemo_curator.backends.ray_data import RayDataExecutor
    from nemo_curator.pipeline import Pipeline

    pipeline = Pipeline(name="cold_start", stages=nemo_stages(input_dir, output_dir))
    began = time.perf_counter()
    with TreeCpu() as cpu:
        pipeline.run(RayDataExecutor())
    return time.perf_counter() - began, cpu.total


def worker_imports(top: int) -> list[str]:
    """The ``top`` slowest imports (cumulative) a worker has before its first task, from ``-X importtime``.

    With forked workers these are the server's preload imports (once per driver process); with
    ``curator_dask.worker-start: spawn`` each worker's own.
    """
    import subprocess

    code = (
        "from curator_dask.core import connect, ClusterSpec\n"
        "import dask\n"
        "with dask.config.set({'distributed.nanny.pre-spawn-environ.PYTHONPROFILEIMPORTTIME': '1'}):\n"
        "    connect(ClusterSpec(n_workers=1, dashboard_address=None)).close()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line[len("import time:") :].split("|")
            rows.append((int(cumulative), name.rstrip()))
    total = sum(c for c, name in rows if not name[1:].startswith(" "))  # " name", nested ones indented more
    rows.sort(reverse=True)
    return [f"all top-level imports: {total / 1e6:.2f} s"] + [f"{c / 1e6:6.3f} s {name}" for c, name in rows[:top]]


def report(
    n: int,
    rates: list[tuple[str, float]],
    ours: int,
    cpu: list[tuple[str, float]],
    nemo_s: float | None,
    nemo_cpu: float,
) -> None:
    """Documents per second, ratios to the pandas loop and to Ray Data, CPU seconds per run."""
    loop_s = rates[ours][1]
    for label, seconds in rates:
        print(f"  {label:<64} {n / seconds:7.0f} docs/s  {seconds:6.2f} s")
    for label, seconds in rates[:ours]:
        vs_ray = f"   / Ray Data {nemo_s / seconds:5.2f}x (target 8x)" if nemo_s is not None else ""
        print(f"  {label[len('DaskExecutor() cold, ') :]:<42} / pandas loop {loop_s / seconds:5.2f}x{vs_ray}")
    print("CPU seconds of the whole process tree (driver, scheduler, workers; Ray's processes):")
    for label, seconds in cpu:
        vs_ray = f"   Ray Data / this {nemo_cpu / seconds:5.2f}x" if nemo_s is not None else ""
        print(f"  {label:<42} {seconds:7.2f}{vs_ray}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=12_500)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--quick", action="store_true", help="2,000 documents in 4 files")
    parser.add_argument("--nemo", action="store_true", help="also NeMo Curator's RayDataExecutor")
    parser.add_argument("--importtime", action="store_true", help="what a worker imports before its first task")
    parser.add_argument("--compare", action="store_true", help="also spawn, and a second cluster of the process")
    parser.add_argument(
        "--worker-profile", action="store_true", help="the workers' busiest functions (Dask's profiler)"
    )
    args = parser.parse_args()
    if args.quick:
        args.docs, args.files = 2000, 4
    return args


def main() -> None:
    args = parse_args()

    from heuristic_filters import run_pandas_loop

    from curator_dask.examples.corpus import documents, write_jsonl

    # (label, worker start method): --compare adds Dask's own spawn first, and a second cluster
    # of the same process, whose workers fork from the server the first one launched
    runs = [("spawn (Dask's default)", "spawn")] if args.compare else []
    runs.append(("forkserver, first cluster of the process", "forkserver"))
    runs += [("forkserver, second cluster of the process", "forkserver")] if args.compare else []
    n = args.docs
    with tempfile.TemporaryDirectory(prefix="curator-cold-") as tmp:
        root = Path(tmp)
        write_jsonl(root / "input", documents(n, seed=1), args.files)
        size_mb = sum(p.stat().st_size for p in (root / "input").glob("*")) / 1e6
        print(f"corpus: {n} documents, {size_mb:.0f} MB JSONL in {args.files} files; {os.cpu_count()} cores")
        rates: list[tuple[str, float]] = []
        cpu: list[tuple[str, float]] = []  # whole process tree, less sensitive than wall to a busy machine
        kept: list[set[str]] = []
        for i, (label, start) in enumerate(runs):
            began = time.perf_counter()
            profile = run_ours(root / "input", root / f"out-dask-{i}", args.workers, start, args.worker_profile)
            seconds = time.perf_counter() - began
            kept.append(kept_ids(root / f"out-dask-{i}"))
            print(f"\nDaskExecutor() cold, workers started by {label}: where the wall time goes")
            for line in profile.report(seconds):
                print(f"  {line}")
            rates.append((f"DaskExecutor() cold, {label}", seconds))
            cpu.append((label, profile.cpu.total))
        loop = run_pandas_loop(root / "input", root / "out-loop")
        loop_s, loop_kept = loop.seconds, loop.kept
        cpu.append(("pandas loop", loop.cpu_seconds))
        ours = kept[-1]
        assert all(k == loop_kept for k in kept), "DaskExecutor and the pandas loop kept different documents"
        nemo_s, nemo_cpu = run_nemo(root / "input", root / "out-nemo") if args.nemo else (None, 0.0)
        if nemo_s is not None:
            cpu.append(("NeMo Curator RayDataExecutor", nemo_cpu))
            nemo = kept_ids(root / "out-nemo")
            assert nemo == ours, f"NeMo Curator on Ray Data and DaskExecutor disagree on {len(nemo ^ ours)} documents"

    print(f"\nkept {len(ours)} of {n} documents, the same in every run; end to end:")
    rates.append(("pandas loop (1 process, the same filters)", loop_s))
    if nemo_s is not None:
        rates.append(("NeMo Curator 1.4 RayDataExecutor (starts Ray)", nemo_s))
    report(n, rates, len(runs), cpu, nemo_s, nemo_cpu)
    if args.importtime:
        print("\nwhat a worker imports before its first task (cumulative, -X importtime):")
        for line in worker_imports(15):
            print(f"  {line}")


if __name__ == "__main__":
    main()
