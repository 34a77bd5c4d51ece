"""Cold start: NeMo Curator's 28-filter English cascade on ``DaskExecutor()`` from nothing.

``DaskExecutor()`` with no client starts a local cluster inside ``execute`` and shuts it down
after, as NeMo Curator's executors start and stop Ray. For a corpus of ~12,500 documents the
filters take about a second per core, so the start-up and shut-down decide the end-to-end rate.
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
worker (``-X importtime``). Phase times come from wrapping a few client and cluster calls in this
process (``ColdProfile``); the wrappers add well under a millisecond.

Usage: ``python benchmarks/cold_start.py [--docs 12500] [--files 16] [--quick] [--compare] [--nemo] [--importtime]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Imports of the framework stay inside functions: a spawned worker re-runs this module's top level
# (Python's spawn start method imports the main script in each child), and a worker should import
# only what the framework itself needs.
sys.path.insert(0, str(Path(__file__).resolve().parent))  # heuristic_filters
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.interop.nemo_parts (--nemo)


class ColdProfile:
    """Phase marks of one ``DaskExecutor()`` run and CPU seconds of every process it starts.

    Wraps, while entered: the executor's ``connect`` (and the handle's ``close``), the local cluster
    start, the scheduler's start, and ``Client.register_plugin`` / ``unregister_worker_plugin`` /
    ``submit``; a thread samples the CPU times of this process's descendants every 50 ms.
    """

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.spans: dict[str, float] = defaultdict(float)
        self.workers: list[tuple[float, float]] = []  # (process created, registered), s after connect
        self.children: dict[int, tuple[str, float]] = {}  # pid: (what, CPU s), last sample
        self.threads: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []
        self._stop = threading.Event()

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())

    def _patch(self, owner: Any, name: str, wrap: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        setattr(owner, name, wrap(original))
        self._undo.append(lambda: setattr(owner, name, original))

    def _timed(self, span: str, first: str) -> Callable[[Any], Any]:
        def wrap(fn: Any) -> Any:
            def call(*args: Any, **kwargs: Any) -> Any:
                self.mark(first)
                began = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.spans[span] += time.perf_counter() - began

            return call

        return wrap

    def _connect(self, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.mark("connect")
            handle = fn(*args, **kwargs)
            self.mark("connected")
            close = handle.close

            def closing() -> None:
                self._probe(handle.client)
                self.mark("close")
                close()
                self.mark("closed")

            handle.close = closing
            return handle

        return call

    def _marked_after(self, name: str) -> Callable[[Any], Any]:
        def wrap(fn: Any) -> Any:
            def call(*args: Any, **kwargs: Any) -> Any:
                out = fn(*args, **kwargs)
                self.mark(name)
                return out

            return call

        return wrap

    def _scheduler_start(self, fn: Any) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            out = await fn(*args, **kwargs)
            self.mark("scheduler up")
            return out

        return call

    def _probe(self, client: Any) -> None:
        """Per-worker start times and the driver's thread CPU, just before the cluster closes."""
        import psutil

        zero = self.marks["connect"]
        joined = {m["worker"]: t for t, m in client.get_events("all") if m.get("action") == "add-worker"}
        for address, pid in client.run(os.getpid).items():
            created = _started_since_boot(pid) - self._boot  # psutil's create_time can be a second off
            self.workers.append((created - zero, joined.get(address, zero + self._epoch) - self._epoch - zero))
        names = {t.native_id: t.name for t in threading.enumerate()}
        for t in psutil.Process().threads():
            what = {"IO loop": "event loop (scheduler, nannies, client)"}.get(names.get(t.id, ""), "other threads")
            if t.id == threading.main_thread().native_id:
                what = "main thread (driver)"
            self.threads[what] = self.threads.get(what, 0.0) + t.user_time + t.system_time - self._base.get(t.id, 0.0)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.05):
            for child in me.children(recursive=True):
                try:
                    cpu = child.cpu_times()
                    line = " ".join(child.cmdline())
                    what = "resource_tracker" if "resource_tracker" in line else "worker"
                    if "forkserver" in line and child.ppid() == me.pid:  # its forks share its command line
                        what = "forkserver"
                    self.children[child.pid] = (what, cpu.user + cpu.system - self._base.get(-child.pid, 0.0))
                except psutil.Error:  # exited between the calls
                    continue

    def __enter__(self) -> ColdProfile:
        import distributed
        import psutil

        from curator_dask.backends.dask import executor
        from curator_dask.core import cluster

        self._epoch = time.time() - time.perf_counter()
        self._boot = time.clock_gettime(time.CLOCK_BOOTTIME) - time.perf_counter()
        me = psutil.Process()
        self._base = {t.id: t.user_time + t.system_time for t in me.threads()}
        # processes that outlive a cluster (the forkserver): only their CPU during this run counts
        self._base |= {-c.pid: c.cpu_times().user + c.cpu_times().system for c in me.children(recursive=True)}
        self._patch(executor, "connect", self._connect)
        self._patch(cluster, "_start_local", self._marked_after("cluster up"))
        self._patch(distributed.Scheduler, "start_unsafe", self._scheduler_start)
        self._patch(distributed.Client, "register_plugin", self._timed("plugin registration", "register"))
        self._patch(distributed.Client, "unregister_worker_plugin", self._timed("plugin removal", "teardown"))
        self._patch(distributed.Client, "submit", self._timed("submit calls", "first submit"))
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        self.mark("start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.mark("end")
        self._stop.set()
        self._sampler.join()
        for undo in reversed(self._undo):
            undo()

    def phases(self) -> Iterator[tuple[str, float]]:
        m, s = self.marks, self.spans
        yield "driver preparation (checks, plan)", m["connect"] - m["start"]
        yield "cluster start: scheduler up", m["scheduler up"] - m["connect"]
        yield "cluster start: workers up and registered", m["cluster up"] - m["scheduler up"]
        yield "post-start checks (wait, versions)", m["connected"] - m["cluster up"]
        yield "set-up before plugins (outputs, ledger)", m["register"] - m["connected"]
        yield "stage plugin registration", s["plugin registration"]
        yield "run: first chain submitted to last result", m["teardown"] - m["first submit"]
        yield "teardown (plugins removed, run files)", m["close"] - m["teardown"]
        yield "cluster close", m["closed"] - m["close"]
        yield "after close", m["end"] - m["closed"]

    def report(self, wall: float) -> list[str]:
        lines = [f"{name:<44} {sec:6.2f} s  {100 * sec / wall:4.0f}%" for name, sec in self.phases()]
        lines.append(f"{'wall':<44} {wall:6.2f} s")
        for i, (created, joined) in enumerate(sorted(self.workers)):
            lines.append(f"worker {i}: process created {created:5.2f} s, registered {joined:5.2f} s after connect")
        lines.append("CPU seconds:")
        lines += [f"  {what:<42} {sec:6.2f}" for what, sec in sorted(self.threads.items())]
        by_kind: dict[str, list[float]] = defaultdict(list)
        for what, sec in self.children.values():
            by_kind[what].append(sec)
        lines += [f"  {what} processes ({len(v)}): {' + '.join(f'{x:.2f}' for x in v)}" for what, v in by_kind.items()]
        return lines


def _started_since_boot(pid: int) -> float:
    """Seconds from boot to the start of process ``pid`` (``/proc/<pid>/stat``, field 22)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


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


def run_ours(input_dir: Path, output_dir: Path, workers: int | None, start: str) -> ColdProfile:
    import dask

    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.core import ClusterSpec
    from curator_dask.pipeline import Pipeline

    pipeline = Pipeline("cold_start", stages=our_stages(input_dir, output_dir))
    spec = ClusterSpec(n_workers=workers) if workers else None
    with dask.config.set({"curator_dask.worker-start": start}), ColdProfile() as profile:
        pipeline.run(DaskExecutor({"progress": False}, cluster=spec))
    return profile


def run_nemo(input_dir: Path, output_dir: Path) -> float:
    from nemo_curator.backends.ray_data import RayDataExecutor
    from nemo_curator.pipeline import Pipeline

    pipeline = Pipeline(name="cold_start", stages=nemo_stages(input_dir, output_dir))
    began = time.perf_counter()
    pipeline.run(RayDataExecutor())
    return time.perf_counter() - began


def worker_imports(top: int) -> list[str]:
    """The ``top`` slowest imports (cumulative) of one freshly started worker, from ``-X importtime``."""
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
    total = sum(c for c, name in rows if not name.startswith(" "))
    rows.sort(reverse=True)
    return [f"all top-level imports: {total / 1e6:.2f} s"] + [f"{c / 1e6:6.3f} s {name}" for c, name in rows[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=12_500)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--quick", action="store_true", help="2,000 documents in 4 files")
    parser.add_argument("--nemo", action="store_true", help="also NeMo Curator's RayDataExecutor")
    parser.add_argument("--importtime", action="store_true", help="print one worker's slowest imports")
    parser.add_argument("--compare", action="store_true", help="also spawn, and a second cluster of the process")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.files = 2000, 4

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
        kept: list[set[str]] = []
        for i, (label, start) in enumerate(runs):
            began = time.perf_counter()
            profile = run_ours(root / "input", root / f"out-dask-{i}", args.workers, start)
            seconds = time.perf_counter() - began
            kept.append(kept_ids(root / f"out-dask-{i}"))
            print(f"\nDaskExecutor() cold, workers started by {label}: where the wall time goes")
            for line in profile.report(seconds):
                print(f"  {line}")
            rates.append((f"DaskExecutor() cold, {label}", seconds))
        loop_s, loop_kept, _ = run_pandas_loop(root / "input", root / "out-loop")
        ours = kept[-1]
        assert all(k == loop_kept for k in kept), "DaskExecutor and the pandas loop kept different documents"
        nemo_s = run_nemo(root / "input", root / "out-nemo") if args.nemo else None
        if nemo_s is not None:
            nemo = kept_ids(root / "out-nemo")
            assert nemo == ours, f"NeMo Curator on Ray Data and DaskExecutor disagree on {len(nemo ^ ours)} documents"

    print(f"\nkept {len(ours)} of {n} documents, the same in every run; end to end:")
    rates.append(("pandas loop (1 process, the same filters)", loop_s))
    if nemo_s is not None:
        rates.append(("NeMo Curator 1.4 RayDataExecutor (starts Ray)", nemo_s))
    for label, seconds in rates:
        print(f"  {label:<58} {n / seconds:7.0f} docs/s  {seconds:6.2f} s")
    for label, seconds in rates[: len(runs)]:
        vs_ray = f"   / Ray Data {nemo_s / seconds:5.2f}x (target 8x)" if nemo_s is not None else ""
        print(f"  {label[len('DaskExecutor() cold, ') :]:<42} / pandas loop {loop_s / seconds:5.2f}x{vs_ray}")
    if args.importtime:
        print("\none worker's slowest imports (cumulative, -X importtime):")
        for line in worker_imports(15):
            print(f"  {line}")


if __name__ == "__main__":
    main()
