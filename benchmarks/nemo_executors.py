"""Wall time of one NeMo Curator pipeline on DaskExecutor against NeMo Curator's own executors.

The pipeline (built from ``nemo_curator`` classes): JSONL reader, Unicode repair, newline
normalisation, NeMo Curator's 28-filter English heuristic cascade, JSONL writer, over a generated
corpus. The same ``Pipeline`` object runs on, in one process and one run:

- ``dask cold``: ``DaskExecutor()``, which starts a LocalCluster (one worker process per core)
  and shuts it down inside ``execute``, as NeMo Curator's executors start and stop Ray;
- ``dask warm``: ``DaskExecutor(client=...)`` on an already running LocalCluster;
- ``xenna``: NeMo Curator's ``XennaExecutor`` in batch mode (streaming mode wants a CPU per stage),
  which starts a local Ray;
- ``ray_data``: NeMo Curator's ``RayDataExecutor``, which starts a local Ray;
- ``ours``: the same pipeline from curator_dask's own classes on the warm cluster.

Every run must keep the same documents; the script prints wall seconds and documents per second.
Needs ``nemo_curator`` (and Ray for the last two; they are reported as not run when it fails).

Usage: ``python benchmarks/nemo_executors.py [--docs 4000] [--files 8] [--executors dask_cold,...]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.interop.nemo_parts

ALL = ("dask_cold", "dask_warm", "xenna", "ray_data", "ours")


def _executor(kind: str, client: Any) -> Any:
    from curator_dask.backends.dask import DaskExecutor

    if kind == "dask_cold":
        return DaskExecutor({"progress": False})
    if kind in ("dask_warm", "ours"):
        return DaskExecutor({"progress": False}, client=client)
    if kind == "xenna":
        from nemo_curator.backends.xenna import XennaExecutor

        return XennaExecutor({"execution_mode": "batch"})
    from nemo_curator.backends.ray_data import RayDataExecutor

    return RayDataExecutor()


def _timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--executors", default=",".join(ALL))
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    from curator_dask.examples.corpus import documents, write_jsonl
    from tests.interop.nemo_parts import heuristic_pipeline, read_jsonl_folder

    root = Path(tempfile.mkdtemp(prefix="nemo_executors-"))
    write_jsonl(root / "input", documents(args.docs, seed=11), args.files)
    nproc = os.cpu_count() or 1
    rows: list[tuple[str, str, int | None]] = []
    kept: dict[str, list[str]] = {}

    def run(kind: str, client: Any = None) -> None:
        out = root / kind
        framework = "curator_dask" if kind == "ours" else "nemo_curator"
        pipeline = heuristic_pipeline(framework, str(root / "input"), str(out))
        try:
            seconds = _timed(lambda: pipeline.run(_executor(kind, client)))
        except Exception as exc:  # Ray may not start here: report it and go on
            rows.append((kind, f"not run: {type(exc).__name__}: {str(exc)[:120]}", None))
            return
        kept[kind] = read_jsonl_folder(out)["id"].tolist()
        rows.append((kind, f"{seconds:8.2f} s  {args.docs / seconds:9.1f} docs/s", len(kept[kind])))

    kinds = args.executors.split(",")
    if "dask_cold" in kinds:  # first, with no other Dask client in the process
        run("dask_cold")
    if {"dask_warm", "ours"} & set(kinds):  # the warm cluster is closed before Ray starts
        with LocalCluster(n_workers=nproc, threads_per_worker=1, dashboard_address=None) as lc, Client(lc) as c:
            for kind in ("dask_warm", "ours"):
                if kind in kinds:
                    run(kind, c)
    for kind in ("xenna", "ray_data"):
        if kind in kinds:
            run(kind)
    print(f"\n{args.docs} documents in {args.files} files, {nproc} cores; 31-stage NeMo Curator pipeline")
    for kind, text, n in rows:
        print(f"  {kind:<10} {text}  kept={n}")
    same = len({tuple(v) for v in kept.values()}) <= 1
    print(f"  every executor kept the same documents: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
