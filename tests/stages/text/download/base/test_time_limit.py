"""The per-record time limit's child processes: one per worker process and extractor, across tasks and runs.

Each document says which process read its record (the worker) and which extracted it (the
child), so what is counted is the processes that really did the work.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.download.base import DocumentExtractor, DocumentIterateExtractStage, DocumentIterator
from curator_dask.tasks import FileGroupTask


class PidLines(DocumentIterator):
    """One record per line, carrying the pid of the process that read it."""

    def iterate(self, file_path: str) -> Iterator[dict[str, Any]]:
        for line in Path(file_path).read_text().splitlines():
            yield {"raw": line, "reader": os.getpid()}

    def output_columns(self) -> list[str]:
        return ["raw", "reader"]


class PidExtractor(DocumentExtractor):
    """Adds the pid of the process that extracted the record; ``slow`` backtracks for hours in C code."""

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if record["raw"] == "slow":
            re.match(r"(a+)+$", "a" * 40 + "b")
        return {"raw": record["raw"], "reader": record["reader"], "extractor": os.getpid()}

    def input_columns(self) -> list[str]:
        return ["raw", "reader"]

    def output_columns(self) -> list[str]:
        return ["raw", "reader", "extractor"]


def _tasks(tmp_path: Path, files: int) -> list[FileGroupTask]:
    tasks = []
    for i in range(files):
        path = tmp_path / f"part-{i}.txt"
        path.write_text(f"a{i}\nb{i}\n")
        tasks.append(FileGroupTask(dataset_name="pids", data=[str(path)]))
    return tasks


def test_one_child_per_worker_process_across_tasks_and_runs(tmp_path: Path, client):
    frames = []
    for _ in range(2):  # a fresh stage each run, as a user's script or the CLI makes one
        stage = DocumentIterateExtractStage(PidLines(), PidExtractor(), extract_timeout_s=30, add_filename_column=False)
        batches = Pipeline("pids", stages=[stage]).run(
            DaskExecutor({"progress": False}, client=client), _tasks(tmp_path, 6)
        )
        frames.append(pd.concat([b.to_pandas() for b in batches], ignore_index=True))
    frame = pd.concat(frames, ignore_index=True)
    assert len(frame) == 2 * 6 * 2
    workers = set(client.run(os.getpid).values())
    assert set(frame["reader"]) <= workers
    assert not set(frame["extractor"]) & (workers | {os.getpid()})  # extracted in children, not in place
    # Every worker process that read records had them all extracted by one and the same child.
    children_per_worker = frame.groupby("reader")["extractor"].nunique()
    assert children_per_worker.tolist() == [1] * len(children_per_worker)


def test_a_child_outlives_its_stage_copy_and_only_a_stuck_one_is_replaced(tmp_path: Path):
    (task,) = _tasks(tmp_path, 1)
    slow = tmp_path / "slow.txt"
    slow.write_text("x\nslow\ny\n")

    def run(files: list[str]) -> list[int]:
        stage = DocumentIterateExtractStage(
            PidLines(), PidExtractor(), extract_timeout_s=0.5, add_filename_column=False
        )
        stage.setup()
        batch = stage.process(FileGroupTask(dataset_name="pids", data=files))
        stage.teardown()
        return batch.to_pandas()["extractor"].tolist()

    first, second = run(task.data), run(task.data)
    assert first == second and first[0] != os.getpid()  # the second stage copy reused the idle child
    x, y = run([str(slow)])  # the stuck record is skipped; the next one goes to a fresh child
    assert x == first[0] and y not in (x, os.getpid())
    assert run(task.data) == [y, y]  # the killed child never comes back; its successor does


@pytest.mark.slow  # two child start-ups and a timeout: about 6 s on 2 shared cores
def test_records_stream_through_the_child_in_order_and_read_ahead_past_the_limit_is_dropped(tmp_path: Path):
    first = tmp_path / "first.txt"
    first.write_text("a\nslow\nb\nc\nd\n")
    second = tmp_path / "second.txt"
    second.write_text("e\nf\n")
    stage = DocumentIterateExtractStage(PidLines(), PidExtractor(), extract_timeout_s=0.5, record_limit=2)
    stage.setup()
    batch = stage.process(FileGroupTask(dataset_name="pids", data=[str(first), str(second)]))
    stage.teardown()
    frame = batch.to_pandas()
    # first.txt stops at its 2nd document: c and d, sent ahead, are dropped, and none of their
    # answers reaches second.txt.
    assert frame["raw"].tolist() == ["a", "b", "e", "f"]
    assert frame["file_name"].tolist() == ["first.txt", "first.txt", "second.txt", "second.txt"]
    assert [(s["file"], s["record"]) for s in batch._metadata["skipped"]] == [(str(first), 1)]
    assert stage._consume_custom_metrics()["timed_out_records"] == 1.0
