"""Executor overhead: DaskExecutor against hand-written Dask running the same functions.

Two measurements, each against a baseline taken in the same run:

1. End-to-end latency of a trivial two-stage pipeline, cluster start and stop included:
   ``Pipeline.run(DaskExecutor())`` against ``LocalCluster`` + ``client.map`` + close.
2. Per-task, per-stage overhead on a warm cluster: many small tasks through several cheap
   stages, against ``client.map`` of the composed functions and ``dask.dataframe.map_partitions``.

Usage: ``python benchmarks/executor_overhead.py [--tasks 2000] [--stages 4] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time

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
        with LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None) as lc, Client(lc) as c:
            c.gather(c.map(composed, range(4), stages=1))

    ours_s, base_s = best(ours, repeat), best(baseline, repeat)
    print(f"end-to-end, trivial two-stage pipeline, local cluster started and stopped (best of {repeat})")
    print(f"  hand-written Dask : {base_s:6.2f} s")
    print(f"  DaskExecutor      : {ours_s:6.2f} s   ratio {ours_s / base_s:5.2f}x   (NeMo Curator 1.4 on Ray: 7.4 s)")


def warm(n: int, stages: int, repeat: int) -> None:
    import dask.dataframe as dd

    with LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None) as lc, Client(lc) as client:
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
    args = parser.parse_args()
    end_to_end(args.repeat)
    warm(args.tasks, args.stages, args.repeat)


if __name__ == "__main__":
    main()
