"""GPU check of the model stages: the classifier and the embedder on ``LocalCUDACluster`` workers.

For a machine with CUDA, PyTorch and CuPy but no dask: ``--wheels DIR`` installs the pure-Python
wheels it needs (dask, distributed, dask-cuda, pandas' and transformers' kin, as prepared with
``--prepare-wheels DIR`` on a machine with a package index) into ``.gpu_site`` next to this file
and puts that first on ``sys.path``. Then, with tiny random-weight models built on the spot in a
temporary offline Hugging Face cache, it:

1. starts a ``LocalCUDACluster`` (one worker per GPU, ``GPU=1``) through ``curator_dask.core``;
2. runs ``QualityClassifier`` and ``EmbeddingCreatorStage`` with their model stages on the GPU
   workers (their default ``Resources(gpus=1)``), recording every ``setup`` in a file;
3. asserts that each worker loaded each model once, onto ``cuda:<current device>``, that this is
   the first device of the worker's ``CUDA_VISIBLE_DEVICES`` (the GPU dask-cuda gave it), and that
   no two workers share a GPU;
4. runs the same stages on CPU workers (a ``LocalCluster``, model stages moved to CPU) and prints
   docs/s on GPU against CPU, with the results compared (labels equal, probabilities and
   embeddings within bf16/fp16 autocast tolerance).

``--cpu-only`` is the dry run for machines without CUDA: step 1 becomes a ``LocalCluster`` whose
workers declare ``GPU=1``, model stages are moved to CPU, and every other step runs as on a GPU.
Usage: ``python benchmarks/gpu/model_stages.py [--wheels DIR] [--docs 20000] [--cpu-only]``.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WHEELS = (
    "dask",
    "distributed",
    "dask-cuda",
    "pynvml",
    "nvidia-ml-py",
    "zict",
    "tblib",
    "sortedcontainers",
    "cloudpickle",
    "toolz",
    "partd",
    "locket",
    "fsspec",
    "msgpack",
    "tornado",
    "psutil",
    "click",
    "pyyaml",
    "jinja2",
    "markupsafe",
    "urllib3",
    "pandas",
    "pyarrow",
    "tzdata",
    "python-dateutil",
    "six",
    "pytz",
    "transformers",
    "tokenizers",
    "huggingface-hub",
    "safetensors",
    "sentence-transformers",
    "regex",
    "tqdm",
    "filelock",
    "packaging",
    "requests",
    "certifi",
    "idna",
    "charset-normalizer",
    "typing-extensions",
    "scikit-learn",
    "scipy",
    "joblib",
    "threadpoolctl",
    "hf-xet",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "sniffio",
    "typer",
    "shellingham",
    "rich",
    "markdown-it-py",
    "mdurl",
    "pygments",
    "annotated-doc",
)


def prepare_wheels(folder: Path) -> None:
    """Download the wheels (for CPython 3.11 on x86-64 Linux) into ``folder``; needs an index."""
    cmd = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--python-version", "3.11"]
    cmd += ["--platform", "manylinux2014_x86_64", "--no-deps", "-d", str(folder), *WHEELS]
    subprocess.run(cmd, check=True)


def bootstrap(folder: Path) -> None:
    """Install the brought wheels into ``.gpu_site`` (no index) and put it first on ``sys.path``."""
    site = HERE / ".gpu_site"
    if not site.exists():
        cmd = [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--find-links", str(folder)]
        subprocess.run([*cmd, "--target", str(site), *(str(p) for p in sorted(folder.glob("*.whl")))], check=True)
    sys.path[:0] = [str(site), str(ROOT)]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])


# -- what the workers record ------------------------------------------------------------------
def record(log: str, line: str) -> None:
    with open(log, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line + "\n")
        fcntl.flock(f, fcntl.LOCK_UN)


def recording(stage: Any, log: str) -> Any:
    """``stage`` whose ``setup`` records worker, model device and the worker's visible GPUs."""
    base = type(stage)

    def setup(self: Any, worker_metadata: Any = None) -> None:
        base.setup(self, worker_metadata)
        device = next(self.model.parameters()).device if hasattr(self, "model") else "none"
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "-").split(",")[0] or "-"
        current = "-"
        if str(device).startswith("cuda"):
            import torch

            current = str(torch.cuda.current_device())
        worker = worker_metadata.worker_id if worker_metadata else "local"
        record(log, f"{self.name} {worker} {os.getpid()} {device} {current} {visible}")

    cls = type(base.__name__, (base,), {"setup": setup})  # defined here: pickled by value
    new = cls.__new__(cls)
    new.__dict__.update(stage.__dict__)
    return new


def stages_for(cache: str, log: str, on_gpu: bool, batch_size: int) -> dict[str, list[Any]]:
    from curator_dask.stages.resources import Resources
    from curator_dask.stages.text.classifiers import QualityClassifier
    from curator_dask.stages.text.embedders import EmbeddingCreatorStage

    def prepare(composite: Any) -> list[Any]:
        out = []
        for stage in composite.decompose():
            moved = stage.with_(resources=Resources(cpus=1)) if stage.resources.requires_gpu and not on_gpu else stage
            out.append(recording(moved, log) if moved.name.endswith("_model") else moved)
        return out

    classifier = QualityClassifier(cache_dir=cache, score_field="p", model_inference_batch_size=batch_size)
    return {
        "classifier": prepare(classifier),
        "embedder": prepare(EmbeddingCreatorStage(cache_dir=cache, model_inference_batch_size=batch_size)),
    }


def run_all(client: Any, folder: Path, stages: dict[str, list[Any]]) -> dict[str, tuple[float, Any]]:
    import pandas as pd

    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.io.reader import JsonlReader

    results = {}
    for name, chain in stages.items():
        pipeline = Pipeline(name, stages=[JsonlReader(file_paths=str(folder), files_per_partition=1), *chain])
        began = time.perf_counter()
        out = pipeline.run(DaskExecutor({"progress": False}, client=client))
        seconds = time.perf_counter() - began
        results[name] = (seconds, pd.concat([t.to_pandas() for t in out]).sort_values("id").reset_index(drop=True))
    return results


def check_setups(log: Path, workers: set[str], want_gpu: bool) -> None:
    """Each model loaded once per worker that ran it, on the GPU dask-cuda gave that worker."""
    events = [line.split() for line in log.read_text().splitlines()]
    for stage in {e[0] for e in events}:
        mine = [e for e in events if e[0] == stage]
        counts = Counter(e[1] for e in mine)
        assert set(counts.values()) == {1} and set(counts) <= workers, f"{stage}: setups per worker {counts}"
        if want_gpu:
            for _, worker, _, device, current, visible in mine:
                assert device == f"cuda:{current}", f"{stage} on {worker}: model on {device}, current {current}"
                assert current == "0" and visible != "-", f"{stage} on {worker}: not on its dask-cuda GPU"
            gpus = [e[5] for e in mine]
            assert len(set(gpus)) == len(gpus), f"{stage}: workers share a GPU: {gpus}"
        print(f"  {stage}: loaded once on each of {len(counts)} worker(s), on {sorted({e[3] for e in mine})}")


def compare(gpu: dict[str, tuple[float, Any]], cpu: dict[str, tuple[float, Any]], docs: int, atol: float) -> None:
    import numpy as np

    for name, (g_s, g) in gpu.items():
        c_s, c = cpu[name]
        column = "p" if name == "classifier" else "embeddings"
        diff = np.abs(np.stack(g[column].to_numpy()) - np.stack(c[column].to_numpy())).max()
        same = (g["quality_pred"] == c["quality_pred"]).mean() if name == "classifier" else 1.0
        print(f"  {name:<10} gpu {docs / g_s:9.1f} docs/s  cpu {docs / c_s:9.1f} docs/s  {c_s / g_s:6.2f}x  ", end="")
        print(f"max |gpu-cpu| {diff:.2e}  labels equal {same:.1%}")
        assert diff < atol, f"{name}: GPU and CPU results differ by {diff}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="folder of wheels to bring dask, dask-cuda, ... along")
    parser.add_argument("--prepare-wheels", type=Path, help="download the wheels into this folder and stop")
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--cpu-workers", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--cpu-only", action="store_true", help="dry run without CUDA (see the docstring)")
    args = parser.parse_args()
    if args.prepare_wheels:
        prepare_wheels(args.prepare_wheels)
        return
    if args.wheels:
        bootstrap(args.wheels)
    else:
        sys.path.insert(0, str(ROOT))
    root = Path(tempfile.mkdtemp(prefix="gpu_check-"))
    os.environ.update(HF_HOME=str(root / "hf"), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")

    from distributed import Client, LocalCluster

    from curator_dask.core.cluster import ClusterSpec, connect
    from curator_dask.examples.corpus import documents, write_jsonl
    from curator_dask.models.tiny import SENTENCE_TRANSFORMER, populate_cache

    cache = str(root / "hf" / "hub")
    populate_cache(cache, ["nvidia/quality-classifier-deberta", SENTENCE_TRANSFORMER])
    write_jsonl(root / "in", documents(args.docs, seed=3, size=800)[["id", "text"]], args.files)

    gpu_log = root / "gpu-setup.log"
    if args.cpu_only:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, resources={"GPU": 1}, dashboard_address=":0")
        handle_client, close = Client(cluster), cluster.close
    else:
        handle = connect(ClusterSpec(kind="gpu"))
        handle_client, close = handle.client, handle.close
    try:
        workers = set(handle_client.scheduler_info()["workers"])
        print(f"{len(workers)} {'GPU' if not args.cpu_only else 'dry-run'} worker(s)")
        gpu = run_all(handle_client, root / "in", stages_for(cache, str(gpu_log), not args.cpu_only, args.batch_size))
        check_setups(gpu_log, workers, want_gpu=not args.cpu_only)
    finally:
        close()
    cpu_log = root / "cpu-setup.log"
    with LocalCluster(n_workers=args.cpu_workers, threads_per_worker=1, dashboard_address=":0") as lc, Client(lc) as c:
        cpu = run_all(c, root / "in", stages_for(cache, str(cpu_log), False, args.batch_size))
        check_setups(cpu_log, set(c.scheduler_info()["workers"]), want_gpu=False)
    compare(gpu, cpu, args.docs, atol=1e-5 if args.cpu_only else 5e-2)


if __name__ == "__main__":
    main()
