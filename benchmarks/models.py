"""Docs/s of the quality classifier on CPU workers (tiny DeBERTa, fixed generated data).

In one run, over the same JSONL files:

- ``in-process``: the baseline: our tokenizer and model stages called in a loop in this process,
  torch on one thread (as on a worker a Dask nanny started: it sets ``OMP_NUM_THREADS=1``);
- ``in-process rows``: the same with micro-batches cut by row count only (``cpu_tokens_per_forward
  = None``), so the token budget's effect shows on its own (the heap setting below is
  process-wide, so it holds for both in-process rows);
- ``dask``: ``QualityClassifier`` on ``DaskExecutor`` with a fresh LocalCluster of one one-thread
  worker process per core (model stage moved to CPU with ``with_``), worker start-up excluded,
  imports and setup included;
- ``dask before``: the same on a second fresh cluster as the model stage ran before its CPU fixes:
  row-count micro-batches, and workers started with ``MALLOC_MMAP_THRESHOLD_=131072`` (what a
  nanny's ``MALLOC_TRIM_THRESHOLD_`` leaves glibc with; the stage leaves a set value alone);
- ``nemo ray_data``: NeMo Curator 1.4's ``QualityClassifier`` on its ``RayDataExecutor``, its model
  stage on CPU (interop venv only; reported as not run when Ray or NeMo Curator is missing). Ray is
  started here with ``num_cpus = 2 x cores`` logical CPUs, and NeMo's tokenizer and model stages get
  one actor each (``with_(num_workers=1)``): on 2 cores Ray Data's reader tasks and its two actor
  pools (one CPU each) cannot all hold a CPU at once and wait forever. Four logical CPUs let the
  reader, one tokenizer actor and one model actor run side by side, which is what our two workers
  do (reader + tokenizer fused, model) on the same two cores; no side runs more model copies;

and, from each run's performance records, the share of stage time spent tokenising vs inferring.
The tiny model (2 layers, hidden 32) makes this a measure of the pipeline around the model, not
of the model. Usage: ``python benchmarks/models.py [--docs 2000] [--quick] [--skip-nemo]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.interop.nemo_model_parts

REPO = "nvidia/quality-classifier-deberta"


# glibc's initial mmap threshold, fixed: what a nanny's MALLOC_TRIM_THRESHOLD_ left workers with
# before the model stage raised it (setting it also stops the stage from changing it)
_BEFORE_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}
Run = tuple[float, int, dict[str, float]]  # seconds, rows out, stage name -> process seconds


def _classifier_stages(cache: str, batch_size: int, budget: bool) -> list[Any]:
    from curator_dask.stages.resources import Resources
    from curator_dask.stages.text.classifiers import QualityClassifier

    stages = QualityClassifier(cache_dir=cache, model_inference_batch_size=batch_size).decompose()
    stages = [s.with_(resources=Resources(cpus=1)) for s in stages]
    if not budget:
        stages[-1].cpu_tokens_per_forward = None  # an instance attribute: travels to the workers
    return stages


def _stage_times(tasks: list[Any]) -> dict[str, float]:
    times: dict[str, float] = {}
    for task in tasks:
        for perf in task._stage_perf:
            times[perf.stage_name] = times.get(perf.stage_name, 0.0) + perf.process_time
    return times


def _in_process(cache: str, files: list[Path], batch_size: int, budget: bool) -> Run:
    import pandas as pd
    import torch

    from curator_dask.tasks import DocumentBatch

    torch.set_num_threads(1)
    began = time.perf_counter()
    stages = _classifier_stages(cache, batch_size, budget)
    for s in stages:
        s.setup_on_node()
        s.setup()
    rows, times = 0, dict.fromkeys((s.name for s in stages), 0.0)
    for path in files:
        task = DocumentBatch(dataset_name="docs", data=pd.read_json(path, lines=True))
        for s in stages:
            start = time.perf_counter()
            task = s.process(task)
            times[s.name] += time.perf_counter() - start
        rows += task.num_items
    return time.perf_counter() - began, rows, times


def _dask(cache: str, folder: Path, batch_size: int, budget: bool, client: Any) -> Run:
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.io.reader import JsonlReader

    reader = JsonlReader(file_paths=str(folder), files_per_partition=1)
    stages = [reader, *_classifier_stages(cache, batch_size, budget)]
    began = time.perf_counter()
    out = Pipeline("bench", stages=stages).run(DaskExecutor({"progress": False}, client=client))
    return time.perf_counter() - began, sum(t.num_items for t in out), _stage_times(out)


def _nemo(cache: str, folder: Path, batch_size: int, nproc: int) -> Run:
    import ray
    from nemo_curator.backends.ray_data import RayDataExecutor
    from nemo_curator.pipeline import Pipeline
    from nemo_curator.stages.text.io.reader import JsonlReader

    from tests.interop.nemo_model_parts import cpu_quality_classifier

    # NeMo's executor calls ray.init(ignore_reinit_error=True): this start, with its logical CPUs, holds
    ray.init(num_cpus=2 * nproc, include_dashboard=False, log_to_driver=False)
    try:
        reader = JsonlReader(file_paths=str(folder), files_per_partition=1)
        stages = [reader, *cpu_quality_classifier(cache, batch_size)]
        began = time.perf_counter()
        out = Pipeline(name="bench", stages=stages).run(RayDataExecutor()) or []
        return time.perf_counter() - began, sum(t.num_items for t in out), _stage_times(out)
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64, help="model_inference_batch_size")
    parser.add_argument("--quick", action="store_true", help="200 documents in 4 files")
    parser.add_argument("--skip-nemo", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.files = 200, 4
    root = Path(tempfile.mkdtemp(prefix="bench_models-"))
    # before anything imports huggingface_hub, and inherited by every worker process
    os.environ.update(HF_HOME=str(root / "hf"), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    from distributed import Client, LocalCluster

    from curator_dask.examples.corpus import documents, write_jsonl
    from curator_dask.models.tiny import populate_cache

    cache = str(root / "hf" / "hub")
    populate_cache(cache, [REPO])
    files = write_jsonl(root / "in", documents(args.docs, seed=5, size=800)[["id", "text"]], args.files)
    nproc = os.cpu_count() or 1
    runs: dict[str, Run] = {}
    for budget, label in ((True, ""), (False, " rows")):
        runs["in-process" + label] = _in_process(cache, files, args.batch_size, budget)
        print(f"in-process{label}: {runs['in-process' + label][0]:.2f} s", flush=True)
    for budget, label, env in ((True, "", {}), (False, " before", _BEFORE_ENV)):
        with (
            LocalCluster(n_workers=nproc, threads_per_worker=1, dashboard_address=":0", env=env) as lc,
            Client(lc) as client,
        ):
            runs["dask" + label] = _dask(cache, root / "in", args.batch_size, budget, client)
        print(f"dask{label}: {runs['dask' + label][0]:.2f} s", flush=True)
    if not args.skip_nemo:
        try:
            runs["nemo ray_data"] = _nemo(cache, root / "in", args.batch_size, nproc)
        except Exception as exc:  # no NeMo Curator or no Ray here: say so and go on
            print(f"nemo ray_data: not run: {type(exc).__name__}: {str(exc)[:200]}")
    _report(runs, args, nproc)


def _report(runs: dict[str, Run], args: argparse.Namespace, nproc: int) -> None:
    base = runs["in-process"][0]
    print(f"\n{args.docs} documents in {args.files} files, {nproc} cores, tiny DeBERTa, batch {args.batch_size}")
    for name, (secs, count, times) in runs.items():
        tok = sum(v for k, v in times.items() if k.endswith("_tokenizer"))
        inf = sum(v for k, v in times.items() if k.endswith("_model"))
        share = f"stages {tok + inf:6.2f} s: tokenise {tok / (tok + inf):4.0%} / infer {inf / (tok + inf):4.0%}"
        share = share if tok + inf else ""
        print(
            f"  {name:<14} {secs:8.2f} s  {count / secs:8.1f} docs/s  {base / secs:5.2f}x in-process  "
            f"rows={count}  {share}"
        )
    if any(count != args.docs for _, count, _ in runs.values()):
        raise SystemExit("a run lost or added documents")


if __name__ == "__main__":
    main()
