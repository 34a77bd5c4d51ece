"""Stages for the executor tests. They live in an importable module (not a test file) so worker
processes can unpickle them, and they count their calls across processes in real files.

The conformance stages are framework-neutral ``*Logic`` classes, made curator_dask stages here and
NeMo Curator stages in ``tests/interop/nemo_parts.py`` (this module never imports nemo_curator).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.examples.corpus import write_jsonl
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch, EmptyTask, Task


def record(log: str | os.PathLike[str], line: str) -> None:
    """Append one line to a log shared by worker processes (under an exclusive lock)."""
    with open(log, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line + "\n")
        f.flush()
        fcntl.flock(f, fcntl.LOCK_UN)


def read_log(log: str | os.PathLike[str]) -> list[str]:
    path = Path(log)
    return path.read_text().splitlines() if path.exists() else []


def read_jsonl_folder(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Every row of every JSONL file under ``folder``, sorted by ``id``."""
    rows = [json.loads(line) for path in sorted(Path(folder).glob("*.jsonl")) for line in path.read_text().splitlines()]
    return pd.DataFrame(rows).sort_values("id").reset_index(drop=True)


def _like(task: Any, df: pd.DataFrame) -> Any:
    """A batch of ``task``'s own type (so the conformance stages serve either framework) carrying
    ``df`` and copies of ``task``'s metadata and performance records (each output gets its own
    list: the adapter appends to it). The id is the framework's to set."""
    return type(task)(task.dataset_name, df, _metadata=dict(task._metadata), _stage_perf=list(task._stage_perf))


class AddLengthLogic:
    """Adds ``<column>`` = text length; counts its calls in ``calls_log``."""

    name = "add_length"

    def __init__(self, column: str, calls_log: str) -> None:
        self.column = column
        self.calls_log = calls_log

    def process(self, task: Any) -> Any:
        with self._time_metric("counter_increment_s"):
            record(self.calls_log, f"add_length_{self.column}")
        with self._time_metric("compute_len_s"):
            df = task.to_pandas()  # NeMo Curator's readers give pyarrow tables
            df[self.column] = df["text"].str.len()
        return _like(task, df)


class SplitIntoRowsLogic:
    """Fans one batch out into single-row batches (keeping metadata and performance records)."""

    name = "split_into_rows"

    def process(self, task: Any) -> list[Any]:
        start = time.perf_counter()
        df = task.to_pandas()
        out = [_like(task, df.iloc[[i]].reset_index(drop=True)) for i in range(len(df))]
        self._log_metric("split_into_rows_time_s", time.perf_counter() - start)
        return out


class StageWithSetupLogic:
    """``setup_on_node`` writes a node-local file; ``setup`` reads it; batches use what it read.

    Both hooks check they get their own framework's types (``node_info_type``, ``worker_metadata_type``).
    """

    name = "stage_with_setup"
    node_info_type: ClassVar[type]
    worker_metadata_type: ClassVar[type]

    def __init__(self, shared_dir: str, events_log: str) -> None:
        self.shared_dir = shared_dir
        self.events_log = events_log
        self.random_string: str | None = None
        self.node_id: str | None = None

    def _node_file(self, node_id: str) -> Path:
        return Path(self.shared_dir) / f"node-{node_id}.txt"

    def setup_on_node(self, node_info: Any = None, worker_metadata: Any = None) -> None:
        assert isinstance(node_info, self.node_info_type), node_info
        assert node_info.node_id and "," not in node_info.node_id, node_info.node_id
        assert isinstance(worker_metadata, self.worker_metadata_type), worker_metadata
        record(self.events_log, f"setup_on_node {node_info.node_id} {os.getpid()}")
        self._node_file(node_info.node_id).write_text(uuid.uuid4().hex)

    def setup(self, worker_metadata: Any = None) -> None:
        assert isinstance(worker_metadata, self.worker_metadata_type) and worker_metadata.worker_id, worker_metadata
        node_id = worker_metadata.allocation["node_id"]
        self.random_string = self._node_file(node_id).read_text()  # must exist: node setup ran first
        self.node_id = node_id
        record(self.events_log, f"setup {worker_metadata.worker_id} {node_id}")

    def teardown(self) -> None:
        record(self.events_log, f"teardown {self.node_id}")

    def process(self, task: Any) -> Any:
        assert self.random_string, "process ran on a copy that was not set up"
        df = task.to_pandas()
        df["node_id"] = self.node_id
        df["random_string"] = self.random_string
        return _like(task, df)


class AddLength(AddLengthLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``AddLengthLogic`` as a curator_dask stage."""


class SplitIntoRows(SplitIntoRowsLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``SplitIntoRowsLogic`` as a curator_dask stage."""


class StageWithSetup(StageWithSetupLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``StageWithSetupLogic`` as a curator_dask stage."""

    node_info_type = NodeInfo
    worker_metadata_type = WorkerMetadata


class MakeBatches(ProcessingStage[EmptyTask, DocumentBatch]):
    """A source stage: ``n`` batches of ``rows`` documents each."""

    name = "make_batches"

    def __init__(self, n: int, rows: int = 2) -> None:
        self.n = n
        self.rows = rows

    def process(self, task: Task) -> list[DocumentBatch]:
        return [
            DocumentBatch(
                dataset_name="gen",
                data=pd.DataFrame(
                    {"id": [f"{b}-{r}" for r in range(self.rows)], "text": ["x" * (b + r) for r in range(self.rows)]}
                ),
            )
            for b in range(self.n)
        ]


class Slow(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Sleeps per batch (so a run lasts long enough for a worker to join) and logs where it ran.

    Neither the pause nor the log changes what it outputs, so a resumed run may use others.
    """

    name = "slow"
    _fingerprint_ignore = ("seconds", "events_log")

    def __init__(self, seconds: float, events_log: str) -> None:
        self.seconds = seconds
        self.events_log = events_log

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        self.worker = worker_metadata.worker_id if worker_metadata else "?"
        record(self.events_log, f"setup {self.worker}")

    def teardown(self) -> None:
        record(self.events_log, f"teardown {self.worker}")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        time.sleep(self.seconds)
        record(self.events_log, f"batch {self.worker} {self.name}")
        return task


class Boom(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Raises on documents whose id is in ``bad_ids``."""

    name = "boom"

    def __init__(self, bad_ids: set[str]) -> None:
        self.bad_ids = bad_ids

    def process(self, task: DocumentBatch) -> DocumentBatch:
        bad = set(task.data["id"]) & self.bad_ids
        if bad:
            raise ValueError(f"cannot handle documents {sorted(bad)}")
        return task


class SetupBoom(ProcessingStage[DocumentBatch, DocumentBatch]):
    name = "setup_boom"

    def __init__(self, where: str = "setup") -> None:
        self.where = where

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        if self.where == "setup_on_node":
            raise OSError("model cache directory is not writable")

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        if self.where == "setup":
            raise RuntimeError("model weights missing")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


def write_jsonl_inputs(folder: Path, num_files: int, total_docs: int) -> None:
    """``total_docs`` tiny documents (``doc-<i>``: 1 to 17 words) dealt over ``num_files`` JSONL files.

    The executor tests count documents and lengths, not words, so the text is as cheap as it gets;
    the files are the corpus writer's (``part-NN.jsonl``, row ``i`` in file ``i % num_files``).
    """
    ids = range(total_docs)
    docs = pd.DataFrame({"id": [f"doc-{i}" for i in ids], "text": ["word " * (i % 17 + 1) for i in ids]})
    write_jsonl(folder, docs, num_files)


class KillWorkerOnce(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Kills the worker process it runs in, the first time it sees ``doc_id`` (once per test)."""

    name = "kill_worker_once"

    def __init__(self, doc_id: str, flag: str) -> None:
        self.doc_id = doc_id
        self.flag = flag

    def process(self, task: DocumentBatch) -> DocumentBatch:
        if self.doc_id in set(task.data["id"]) and not os.path.exists(self.flag):
            os.close(os.open(self.flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os._exit(1)  # a worker dying mid-batch, as on pre-emption or OOM
        task.data["text"] = task.data["text"] + "!"  # changes its input in place: a retry must not see it
        return task


class Hog(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Allocates and touches ``gib`` GiB: more than a small worker may hold."""

    name = "hog"

    def __init__(self, gib: float) -> None:
        self.gib = gib

    def process(self, task: DocumentBatch) -> DocumentBatch:
        import numpy as np

        block = np.ones(int(self.gib * 2**30) // 8)
        time.sleep(5)  # hold it while the nanny's memory monitor looks
        task.data["hog"] = float(block[0])
        return task


class FailSetupOn(ProcessingStage[DocumentBatch, DocumentBatch]):
    """``setup`` raises on one named worker only."""

    name = "fail_setup_on"

    def __init__(self, worker: str) -> None:
        self.worker = worker

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        if worker_metadata is not None and worker_metadata.worker_id == self.worker:
            raise RuntimeError("GPU driver too old on this worker")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


def resumable_pipeline(input_dir: str, output_dir: str, log: str, seconds: float) -> Any:
    """JSONL files -> a slow stage -> JSONL writer (mode "ignore"): the pipeline the resume tests
    interrupt and rerun."""
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.io.reader import JsonlReader
    from curator_dask.stages.text.io.writer import JsonlWriter

    stages = [
        JsonlReader(file_paths=input_dir, files_per_partition=1),
        Slow(seconds, log),
        SplitIntoRows(),
        JsonlWriter(path=output_dir),
    ]
    return Pipeline("resumable", stages=stages)


if __name__ == "__main__":  # the interrupted driver of tests/backends/dask/test_resume.py
    import sys

    from curator_dask.backends.dask import DaskExecutor

    address, input_dir, output_dir, log = sys.argv[1:5]
    resumable_pipeline(input_dir, output_dir, log, 0.4).run(DaskExecutor(address=address, config={"progress": False}))
