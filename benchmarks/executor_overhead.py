"""Executor overhead: DaskExecutor against hand-written Dask running the same functions.

Four measurements, each against a baseline taken in the same run:

1. End-to-end latency of a trivial two-stage pipeline, cluster start and stop included:
   ``Pipeline.run(DaskExecutor())`` against ``LocalCluster`` + ``client.map`` + close.
2. Warm-cluster latency of the same pipeline on an already running 2-worker cluster
   (``DaskExecutor(client=...)``) against ``client.map`` + ``gather`` of the same work, with a
   breakdown of where the driver's time goes (see ``latency_breakdown``).
3. Stage set-up cost: registering and tearing down the set-up of a 30-stage pipeline on 2 workers.
4. Per-task, per-stage overhead on a warm cluster: many small tasks through several cheap
   stages, against ``client.map`` of the composed functions and ``dask.dataframe.map_partitions``.

The breakdown times the driver's steps by wrapping them for the measurement (only names that
exist are wrapped, so the script also profiles older versions of the executor for comparison).

Usage: ``python benchmarks/executor_overhead.py [--quick] [--tasks 2000] [--stages 4] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import pandas as pd
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.core import ClusterSpec
from curator_dask.pipeline import Pipeline
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch, EmptyTask, Task


def make_frame(i: int) -> pd.DataFrame:
    return pd.DataFrame({"id": [i, i + 1], "text": [f"document {i}", f"document {i + 1}"]})


def bump(df: pd.DataFrame, column: str) -> pd.DataFrame:
    df[column] = df["text"].str.len()
    return df


class Source(ProcessingStage[EmptyTask, DocumentBatch]):
    name = "source"

    def __init__(self, n: int) -> None:
        self.n = n

    def process(self, task: Task) -> list[DocumentBatch]:
        return [DocumentBatch(dataset_name="bench", data=make_frame(i)) for i in range(self.n)]


class Bump(ProcessingStage[DocumentBatch, DocumentBatch]):
    def __init__(self, column: str) -> None:
        self.name = f"bump_{column}"
        self.column = column

    def process(self, task: DocumentBatch) -> DocumentBatch:
        task.data = bump(task.data, self.column)
        return task


def make_frames(n: int) -> list[pd.DataFrame]:
    return [make_frame(i) for i in range(n)]


def bump_one(frames: list[pd.DataFrame], i: int, column: str) -> pd.DataFrame:
    return bump(frames[i].copy(), column)


def composed(i: int, stages: int) -> pd.DataFrame:
    df = make_frame(i)
    for s in range(stages):
        df = bump(df, f"c{s}")
    return df


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def end_to_end(repeat: int) -> None:
    def ours() -> None:
        spec = ClusterSpec(kind="local", dashboard_address=None)
        Pipeline("latency", stages=[Source(4), Bump("c0")]).run(DaskExecutor(cluster=spec, config={"progress": False}))

    def baseline() -> None:
        with LocalCluster(processes=True, threads_per_worker=1, dashboard_address=":0") as lc, Client(lc) as c:
            c.gather(c.map(composed, range(4), stages=1))

    ours_s, base_s = best(ours, repeat), best(baseline, repeat)
    print(f"end-to-end, trivial two-stage pipeline, local cluster started and stopped (best of {repeat})")
    print(f"  hand-written Dask : {base_s:6.2f} s")
    print(f"  DaskExecutor      : {ours_s:6.2f} s   ratio {ours_s / base_s:5.2f}x   (NeMo Curator 1.4 on Ray: 7.4 s)")


# What the breakdown times: (module, attribute path, label). Missing names are skipped, so the
# script profiles other versions of the executor too. Labels may nest (the loop holds the waits).
STEPS = [
    ("curator_dask.backends.dask.executor", "DaskExecutor.execute", "execute (total)"),
    ("curator_dask.backends.dask.shipping", "shipped_by_value", "checking the workers' imports"),
    ("curator_dask.backends.dask.driver", "Driver._workers", "scheduler_info / wait_for_workers"),
    ("curator_dask.backends.dask.driver", "Driver._run_info", "scheduler_info / wait_for_workers"),
    ("curator_dask.backends.dask.attempts", "install", "attempts plugin install"),
    ("curator_dask.backends.dask.attempts", "read_and_remove", "attempts log read + remove"),
    ("curator_dask.backends.dask.driver", "Driver._register", "registering set-up plugin(s)"),
    ("curator_dask.backends.dask.driver", "Driver._teardown", "teardown"),
    ("curator_dask.backends.dask.driver", "Driver._loop", "loop (total)"),
    ("curator_dask.backends.dask.driver", "Driver._submit", "  submitting chains"),
    ("curator_dask.backends.dask.diagnostics", "StallWatch.wait", "  waiting on chains"),
    ("distributed.client", "as_completed.next_batch", "  waiting on chains"),
    ("curator_dask.backends.dask.driver", "Driver._finish", "  handling outcomes"),
    ("curator_dask.backends.dask.resume", "ResumeLedger.start", "resume markers"),
    ("curator_dask.backends.dask.driver", "Driver._finish_resume", "resume markers"),
    ("curator_dask.backends.dask.driver", "Driver._forget", "forget_run on workers"),
    ("distributed.client", "Client.run", "client.run (forget_run, ...)"),
]


@contextlib.contextmanager
def timed_steps(totals: dict[str, float]) -> Iterator[None]:
    """Within the block, add the seconds spent in each of ``STEPS`` to ``totals[label]``."""
    patched: list[tuple[object, str, object | None]] = []

    def wrap(fn: Callable, label: str) -> Callable:
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - began

        return timed

    for module_name, path, label in STEPS:
        owner: object = importlib.import_module(module_name)
        *parents, attr = path.split(".")
        for part in parents:
            owner = getattr(owner, part, None)
        if owner is None or not callable(getattr(owner, attr, None)):
            continue
        patched.append((owner, attr, vars(owner).get(attr)))
        setattr(owner, attr, wrap(getattr(owner, attr), label))
    try:
        yield
    finally:
        for owner, attr, original in reversed(patched):
            if original is None:  # inherited: drop the wrapper to uncover it again
                delattr(owner, attr)
            else:
                setattr(owner, attr, original)


def profiled(fn: Callable[[], None]) -> tuple[float, dict[str, float]]:
    """The wall time of one run of ``fn`` and the seconds it spent in each of ``STEPS``."""
    totals: dict[str, float] = defaultdict(float)
    with timed_steps(totals):
        began = time.perf_counter()
        fn()
        seconds = time.perf_counter() - began
    return seconds, dict(totals)


def print_steps(steps: dict[str, float]) -> None:
    for label, seconds in steps.items():
        print(f"      {label:<36}: {seconds * 1e3:7.1f} ms")


def warm_latency(repeat: int) -> None:
    """A tiny two-stage pipeline on a running cluster against ``client.map`` of the same work."""
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as lc, Client(lc) as c:
        executor = DaskExecutor(client=c, config={"progress": False})

        def ours() -> None:
            assert len(Pipeline("latency", stages=[Source(4), Bump("c0")]).run(executor)) == 4

        def baseline() -> None:
            assert len(c.gather(c.map(composed, range(4), stages=1, pure=False))) == 4

        def two_rounds() -> None:  # the pipeline's own shape: a source, its size, then one task per batch
            frames = c.submit(make_frames, 4, pure=False)
            n = c.submit(len, frames, pure=False).result()
            assert len(c.gather(c.map(bump_one, [frames] * n, range(n), column="c0", pure=False))) == 4

        for fn in (ours, baseline, two_rounds, ours, baseline):  # warm the workers' imports and the scheduler
            fn()
        base, shaped, runs = [], [], []
        for _ in range(repeat):  # interleaved, so a busy spell of the machine hits all alike
            base.append(best(baseline, 1))
            shaped.append(best(two_rounds, 1))
            runs.append(profiled(ours))
        stages = [Source(4), *[Bump(f"c{s}") for s in range(30)]]
        big = [profiled(lambda: Pipeline("setup30", stages=list(stages)).run(executor)) for _ in range(3)]
    ours_s, steps = min(runs, key=lambda run: run[0])
    base_s, base_median = min(base), statistics.median(base)
    ours_median = statistics.median(run[0] for run in runs)
    print(f"warm cluster, tiny two-stage pipeline (4 batches), 2 worker processes ({repeat} runs each, interleaved)")
    print(f"  client.map + gather: best {base_s * 1e3:6.1f} ms   median {base_median * 1e3:6.1f} ms")
    print(
        f"  the same two rounds by hand (source, len, map over its batches): best {min(shaped) * 1e3:6.1f} ms   "
        f"median {statistics.median(shaped) * 1e3:6.1f} ms   ratio of bests to client.map {min(shaped) / base_s:4.2f}x"
    )
    print(
        f"  DaskExecutor       : best {ours_s * 1e3:6.1f} ms   median {ours_median * 1e3:6.1f} ms   ratio of bests "
        f"{ours_s / base_s:4.2f}x, of medians {ours_median / base_median:4.2f}x   (target: within 2x)"
    )
    print("    where the driver's time goes (its best run; indented steps are part of the loop):")
    print_steps(steps)
    register = min(run[1].get("registering set-up plugin(s)", 0.0) for run in big)
    teardown = min(run[1].get("teardown", 0.0) for run in big)
    print(
        f"  30-stage pipeline on 2 workers: best {min(run[0] for run in big) * 1e3:6.1f} ms in all; set-up "
        f"registration {register * 1e3:.1f} ms, teardown {teardown * 1e3:.1f} ms (best of 3)"
    )


def warm(n: int, stages: int, repeat: int) -> None:
    import dask.dataframe as dd

    with LocalCluster(processes=True, threads_per_worker=1, dashboard_address=":0") as lc, Client(lc) as client:
        pipeline_stages = [Source(n), *[Bump(f"c{s}") for s in range(stages)]]
        executor = DaskExecutor(client=client, config={"progress": False})

        def ours() -> None:
            out = Pipeline("warm", stages=list(pipeline_stages)).run(executor)
            assert len(out) == n

        def with_map() -> None:
            assert len(client.gather(client.map(composed, range(n), stages=stages, pure=False))) == n

        def with_map_partitions() -> None:
            meta = composed(0, stages).iloc[:0]
            frames = dd.from_map(make_frame, range(n))
            for s in range(stages):
                frames = frames.map_partitions(bump, f"c{s}", meta=meta.iloc[:, : 2 + s + 1])
            assert len(frames.compute()) == 2 * n

        for fn in (ours, with_map):  # warm the workers' imports
            fn()
        runs = {
            name: best(fn, repeat)
            for name, fn in [("client.map", with_map), ("map_partitions", with_map_partitions), ("DaskExecutor", ours)]
        }
    base = runs["client.map"]
    print(f"warm cluster, {n} tasks x {stages} cheap stages, 2 worker processes (best of {repeat})")
    for name, seconds in runs.items():
        per = seconds / (n * stages) * 1e6
        print(f"  {name:<15}: {seconds:6.2f} s  {per:8.1f} us/task/stage   ratio to client.map {seconds / base:5.2f}x")
    overhead = (runs["DaskExecutor"] - base) / (n * stages) * 1e6
    print(f"  DaskExecutor overhead over client.map: {overhead:.1f} us per task per stage")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--stages", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-repeat", type=int, default=20, help="runs of the warm-latency measurement")
    parser.add_argument("--quick", action="store_true", help="fewer tasks and repeats (a smoke run)")
    parser.add_argument("--only", choices=["end-to-end", "latency", "warm"], help="run one measurement")
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.repeat, args.latency_repeat = 200, 1, 5
    if args.only in (None, "end-to-end"):
        end_to_end(args.repeat)
    if args.only in (None, "latency"):
        warm_latency(args.latency_repeat)
    if args.only in (None, "warm"):
        warm(args.tasks, args.stages, args.repeat)


if __name__ == "__main__":
    main()
