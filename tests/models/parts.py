"""Shared pieces of the model-stage tests: a Hugging Face cache of tiny models (built once per
session, offline), documents of very different lengths, a LocalCluster whose workers run offline,
and stage classes that record their setup calls in real files.

An importable module (not a test file), so worker processes can unpickle the recording stages.
It imports torch: test modules import it after ``pytest.importorskip("torch")``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.examples.corpus import documents
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.stages.text.classifiers.base import ClassifierModelStage
from curator_dask.stages.text.embedders.base import SentenceTransformerEmbeddingModelStage
from curator_dask.stages.text.models.tokenizer import TokenizerStage
from curator_dask.tasks import DocumentBatch
from tests.backends.dask.pipeline_parts import record

QUALITY = "nvidia/quality-classifier-deberta"
FINEWEB = "HuggingFaceFW/fineweb-edu-classifier"
EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"
CPU = Resources(cpus=1)


@pytest.fixture(scope="session")
def hf_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``HF_HOME`` whose ``hub`` cache holds the tiny models under NeMo Curator's repo ids."""
    from curator_dask.models.tiny import populate_cache

    home = tmp_path_factory.mktemp("hf_home")
    populate_cache(home / "hub", [QUALITY, FINEWEB, EMBEDDER])
    return home


@pytest.fixture(scope="session")
def hub_cache(hf_home: Path) -> str:
    return str(hf_home / "hub")


def texts(n: int = 24, seed: int = 3) -> pd.DataFrame:
    """``id``/``text`` rows from no word to thousands of tokens, on a non-default index."""
    df = documents(n, seed=seed, size=300)[["id", "text"]]
    special = {2: "tiny", 5: "", 7: " ".join(df["text"])[:2500], 11: "two words"}  # 7: past 512 tokens
    for row, text in special.items():
        if row < n:
            df.loc[row, "text"] = text
    df.index = pd.RangeIndex(100, 100 + n)
    return df


def batch(df: pd.DataFrame, name: str = "docs") -> DocumentBatch:
    return DocumentBatch(dataset_name=name, data=df)


def on_cpu(stages: list[ProcessingStage]) -> list[ProcessingStage]:
    """The stages with every GPU stage moved to CPU workers."""
    return [s.with_(resources=CPU) if s.resources.requires_gpu else s for s in stages]


def run_in_process(stages: list[ProcessingStage], data: DocumentBatch) -> DocumentBatch:
    """Run stages one after another in this process, as a worker would (setup, then process)."""
    for stage in on_cpu(stages):
        stage.setup_on_node()
        stage.setup()
        out = stage.process_batch([data])
        assert len(out) == 1 and out[0] is not None
        data = out[0]
        stage.teardown()
    return data


OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def offline_client() -> Iterator[Any]:
    """A LocalCluster of two worker processes started with ``HF_HUB_OFFLINE=1``: nothing they run
    may reach the hub, so a missing model fails at once instead of trying the network."""
    from distributed import Client, LocalCluster

    env = OFFLINE_ENV
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="3GiB", env=env
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module", params=["cpu", pytest.param("gpu", marks=pytest.mark.gpu)])
def device_client(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    """``("cpu", the offline LocalCluster)``, then (where a GPU is) ``("gpu", an offline
    LocalCUDACluster)``, one worker per GPU with ``GPU=1``: one test body for both devices."""
    if request.param == "cpu":
        yield "cpu", request.getfixturevalue("offline_client")
        return
    pytest.importorskip("dask_cuda")
    from curator_dask.core.cluster import ClusterSpec, connect

    handle = connect(ClusterSpec(kind="gpu", dashboard_address=None, gpu_options={"env": OFFLINE_ENV}))
    try:
        yield "gpu", handle.client
    finally:
        handle.close()


def placed(stages: list[ProcessingStage], device: str) -> list[ProcessingStage]:
    """The stages as they run on ``device``: model stages moved to CPU workers, or left on GPUs."""
    return on_cpu(stages) if device == "cpu" else stages


# -- stages that record their setup calls ------------------------------------------------------
class Recorded:
    """Mixed into a stage class: appends ``setup_on_node``/``setup`` calls to the file ``log``
    (``setup <stage> <worker> <pid> <torch device> <first CUDA_VISIBLE_DEVICES entry or ->``)."""

    log: str

    def setup_on_node(self, node_info: Any = None, worker_metadata: Any = None) -> None:
        super().setup_on_node(node_info, worker_metadata)  # type: ignore[misc]
        node = node_info.node_id if node_info is not None else "local"
        record(self.log, f"setup_on_node {self.name} {node} {os.getpid()}")  # type: ignore[attr-defined]

    def setup(self, worker_metadata: Any = None) -> None:
        super().setup(worker_metadata)  # type: ignore[misc]
        worker = worker_metadata.worker_id if worker_metadata is not None else "local"
        device = getattr(self, "device", "cpu")
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip() or "-"
        record(self.log, f"setup {self.name} {worker} {os.getpid()} {device} {visible}")  # type: ignore[attr-defined]


class RecordedTokenizer(Recorded, TokenizerStage):
    pass


class RecordedClassifierModel(Recorded, ClassifierModelStage):
    pass


class RecordedEmbedder(Recorded, SentenceTransformerEmbeddingModelStage):
    pass


RECORDED: dict[type, type] = {
    TokenizerStage: RecordedTokenizer,
    ClassifierModelStage: RecordedClassifierModel,
    SentenceTransformerEmbeddingModelStage: RecordedEmbedder,
}


def recorded(stages: list[ProcessingStage], log: Path) -> list[ProcessingStage]:
    """Copies of ``stages`` whose setup calls are recorded in ``log`` (other stages unchanged)."""
    out = []
    for stage in stages:
        if type(stage) not in RECORDED:
            out.append(stage)
            continue
        new = RECORDED[type(stage)].__new__(RECORDED[type(stage)])
        new.__dict__.update(copy.deepcopy(stage.__dict__), log=str(log))
        out.append(new)
    return out
