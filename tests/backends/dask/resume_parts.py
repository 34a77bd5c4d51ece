"""Stages for the resume and worker-loss tests: batches that merge partitions, drop and regroup
documents after a fan-out, a writer that kills its worker right after writing, a shuffle that
kills its worker midway. An importable module, so worker processes can unpickle them."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from curator_dask.stages import ProcessingStage
from curator_dask.stages.collection import CollectionStage
from curator_dask.stages.text.io.writer import JsonlWriter
from curator_dask.tasks import DocumentBatch, FileGroupTask
from curator_dask.tasks.frames import empty_like
from tests.backends.dask.pipeline_parts import Slow, SplitIntoRows


def _once(flag: str) -> bool:
    """True the first time across all processes (the flag file is created atomically)."""
    try:
        os.close(os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _concat(tasks: list[DocumentBatch]) -> pd.DataFrame:
    return pd.concat([t.to_pandas() for t in tasks], ignore_index=True)


class MergePartitions(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Two batches (of two source partitions) in, one out: an r id, and two partitions tied."""

    name = "merge_partitions"
    batch_size = 2

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task

    def process_batch(self, tasks: list[DocumentBatch]) -> list[DocumentBatch | None]:
        files = [f for t in tasks for f in t._metadata.get("source_files", [])]
        merged = _concat(tasks)
        return [DocumentBatch(dataset_name=tasks[0].dataset_name, data=merged, _metadata={"source_files": files})]


class DropAndRegroup(ProcessingStage[DocumentBatch, DocumentBatch]):
    """After a fan-out: drops documents whose id ends in ``drop`` and regroups the rest by three.

    Returns fewer or more batches than it was given (none, when every document is dropped).
    """

    name = "drop_and_regroup"
    batch_size = 4

    def __init__(self, drop: str = "3") -> None:
        self.drop = drop

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task

    def process_batch(self, tasks: list[DocumentBatch]) -> list[DocumentBatch | None]:
        frame = _concat(tasks)
        frame = frame[~frame["id"].str.endswith(self.drop)].reset_index(drop=True)
        files = sorted({f for t in tasks for f in t._metadata.get("source_files", [])})
        return [
            DocumentBatch(
                dataset_name=tasks[0].dataset_name,
                data=frame.iloc[i : i + 3].reset_index(drop=True),
                _metadata={"source_files": files},
            )
            for i in range(0, len(frame), 3)
        ]


class KillAfterWrite(JsonlWriter):
    """A JSONL writer whose worker dies right after it wrote the file holding ``doc_id`` (once)."""

    def __init__(self, path: str, doc_id: str, flag: str) -> None:
        super().__init__(path=path)
        self.doc_id = doc_id
        self.flag = flag

    def process(self, task: DocumentBatch) -> FileGroupTask:
        written = super().process(task)
        if self.doc_id in set(task.to_pandas()["id"]) and _once(self.flag):
            os._exit(1)  # the file is in place; the chain's result never reaches the scheduler
        return written


def _kill_once(frame: pd.DataFrame, flag: str) -> pd.DataFrame:
    if len(frame) and _once(flag):
        os._exit(1)
    return frame


class ShuffleKillingAWorker(CollectionStage):
    """Shuffles all documents by text length; one partition function kills its worker midway."""

    name = "shuffle_killing_a_worker"

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def process_collection(self, frames: Any) -> Any:
        lengths = frames.assign(length=frames["text"].str.len())
        shuffled = lengths.shuffle(on="length", npartitions=3)
        return shuffled.map_partitions(_kill_once, self.flag, meta=empty_like(lengths._meta)).drop(columns="length")


def regroup_pipeline(input_dir: str, output_dir: str, log: str, seconds: float, drop: str = "3") -> Any:
    """JSONL (two files per reader batch) -> merge them -> pause -> a batch per row -> drop, regroup -> JSONL."""
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.io.reader import JsonlReader

    stages = [
        JsonlReader(file_paths=input_dir, files_per_partition=1).with_({"jsonl_reader": {"batch_size": 2}}),
        MergePartitions(),
        Slow(seconds, log),
        SplitIntoRows(),
        DropAndRegroup(drop),
        JsonlWriter(path=output_dir),
    ]
    return Pipeline("regroup", stages=stages)


if __name__ == "__main__":  # the driver that tests/backends/dask/test_resume_lineage.py kills
    import sys

    from curator_dask.backends.dask import DaskExecutor

    address, input_dir, output_dir, log = sys.argv[1:5]
    regroup_pipeline(input_dir, output_dir, log, 0.5).run(DaskExecutor(address=address, config={"progress": False}))
