"""Docs/s of the quality classifier on CPU workers (tiny DeBERTa, fixed generated data).

In one run, over the same JSONL files:

- ``in-process``: the baseline: our tokenizer and model stages called in a loop in this process;
- ``dask``: ``QualityClassifier`` on ``DaskExecutor`` with a LocalCluster of one worker process per
  core (model stage moved to CPU with ``with_``), cluster already running, setup included;
- ``nemo ray_data``: NeMo Curator 1.4's ``QualityClassifier`` on its ``RayDataExecutor``, its model
  stage on CPU (interop venv only; reported as not run when Ray or NeMo Curator is missing; on a
  2-core machine its three actors, one CPU each, can wait on each other: use ``--skip-nemo``);

and, from our run's performance records, the share of stage time spent tokenising vs inferring.
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


def _in_process(cache: str, files: list[Path], batch_size: int) -> tuple[float, int]:
    import pandas as pd

    from curator_dask.stages.resources import Resources
    from curator_dask.stages.text.classifiers import QualityClassifier
    from curator_dask.tasks import DocumentBatch

    began = time.perf_counter()
    stages = QualityClassifier(cache_dir=cache, model_inference_batch_size=batch_size).decompose()
    stages = [s.with_(resources=Resources(cpus=1)) for s in stages]
    for s in stages:
        s.setup_on_node()
        s.setup()
    rows = 0
    for path in files:
        task = DocumentBatch(dataset_name="docs", data=pd.read_json(path, lines=True))
        for s in stages:
            task = s.process(task)
        rows += task.num_items
    return time.perf_counter() - began, rows


def _dask(cache: str, folder: Path, batch_size: int, client: Any) -> tuple[float, int, dict[str, float]]:
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.resources import Resources
    from curator_dask.stages.text.classifiers import QualityClassifier
    from curator_dask.stages.text.io.reader import JsonlReader

    classifier = QualityClassifier(cache_dir=cache, model_inference_batch_size=batch_size)
    classifier = classifier.with_({"quality_classifier_deberta_model": {"resources": Resources(cpus=1)}})
    pipeline = Pipeline("bench", stages=[JsonlReader(file_paths=str(folder), files_per_partition=1), classifier])
    began = time.perf_counter()
    out = pipeline.run(DaskExecutor({"progress": False}, client=client))
    seconds = time.perf_counter() - began
    times: dict[str, float] = {}
    for task in out:
        for perf in task._stage_perf:
            times[perf.stage_name] = times.get(perf.stage_name, 0.0) + perf.process_time
    return seconds, sum(t.num_items for t in out), times


def _nemo(cache: str, folder: Path, batch_size: int) -> tuple[float, int]:
    from nemo_curator.backends.ray_data import RayDataExecutor
    from nemo_curator.pipeline import Pipeline
    from nemo_curator.stages.text.io.reader import JsonlReader

    from tests.interop.nemo_model_parts import cpu_quality_classifier

    stages = [JsonlReader(file_paths=str(folder), files_per_partition=1), *cpu_quality_classifier(cache, batch_size)]
    pipeline = Pipeline(name="bench", stages=stages)
    began = time.perf_counter()
    out = pipeline.run(RayDataExecutor())
    return time.perf_counter() - began, sum(t.num_items for t in out or [])


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
    rows: list[tuple[str, float, int]] = []
    seconds, n = _in_process(cache, files, args.batch_size)
    rows.append(("in-process", seconds, n))
    print(f"in-process: {seconds:.2f} s", flush=True)
    with LocalCluster(n_workers=nproc, threads_per_worker=1, dashboard_address=":0") as lc, Client(lc) as client:
        seconds, n, times = _dask(cache, root / "in", args.batch_size, client)
    rows.append(("dask", seconds, n))
    print(f"dask: {seconds:.2f} s", flush=True)
    if not args.skip_nemo:
        try:
            seconds, n = _nemo(cache, root / "in", args.batch_size)
            rows.append(("nemo ray_data", seconds, n))
        except Exception as exc:  # no NeMo Curator or no Ray here: say so and go on
            print(f"nemo ray_data: not run: {type(exc).__name__}: {str(exc)[:200]}")
    base = rows[0][1]
    print(f"\n{args.docs} documents in {args.files} files, {nproc} cores, tiny DeBERTa, batch {args.batch_size}")
    for name, secs, count in rows:
        print(f"  {name:<14} {secs:8.2f} s  {count / secs:9.1f} docs/s  {base / secs:5.2f}x in-process  rows={count}")
    tok = sum(v for k, v in times.items() if k.endswith("_tokenizer"))
    inf = sum(v for k, v in times.items() if k.endswith("_model"))
    if tok + inf:
        print(f"  dask stage time: tokenising {tok / (tok + inf):.0%}, inference {inf / (tok + inf):.0%}")
    if any(count != args.docs for _, _, count in rows):
        raise SystemExit("a run lost or added documents")


if __name__ == "__main__":
    main()
