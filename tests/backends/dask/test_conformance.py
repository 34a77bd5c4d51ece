"""NeMo Curator's backend conformance pipeline (CONTRACT.md), run on DaskExecutor.

A JSONL reader over 15 files with two files per partition, a length stage, a fan-out into 100
single-row batches, a second length stage, a stage whose ``setup`` reads what ``setup_on_node``
wrote, and a JSONL writer — on a LocalCluster with worker processes.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import numpy as np
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter
from curator_dask.tasks import FileGroupTask
from curator_dask.tasks.utils import TaskPerfUtils
from tests.backends.dask.pipeline_parts import AddLength, SplitIntoRows, StageWithSetup, read_log, write_jsonl_inputs

NUM_FILES = 15
FILES_PER_PARTITION = 2
TOTAL_DOCS = 100
STAGE_NAMES = ["jsonl_reader", "add_length", "split_into_rows", "add_length", "stage_with_setup", "jsonl_writer"]


@pytest.fixture(scope="module")
def run(client, tmp_path_factory):
    root = tmp_path_factory.mktemp("conformance")
    write_jsonl_inputs(root / "input", NUM_FILES, TOTAL_DOCS)
    calls, events = str(root / "calls.log"), str(root / "events.log")
    pipeline = Pipeline(
        "conformance",
        stages=[
            JsonlReader(file_paths=str(root / "input"), files_per_partition=FILES_PER_PARTITION),
            AddLength("doc_length_1", calls),
            SplitIntoRows(),
            AddLength("doc_length_2", calls),
            StageWithSetup(str(root), events),
            JsonlWriter(path=str(root / "output")),
        ],
    )
    tasks = pipeline.run(DaskExecutor(client=client))
    return {"tasks": tasks, "root": root, "calls": calls, "events": events}


def test_output_files(run):
    files = sorted((run["root"] / "output").glob("*.jsonl"))
    assert len(files) == TOTAL_DOCS
    ids = []
    for path in files:
        lines = path.read_text().splitlines()
        assert len(lines) == 1, path
        row = json.loads(lines[0])
        assert set(row) == {"id", "text", "doc_length_1", "doc_length_2", "node_id", "random_string"}
        assert row["doc_length_1"] == row["doc_length_2"] == len(row["text"])
        ids.append(row["id"])
    assert sorted(ids) == sorted(f"doc-{i}" for i in range(TOTAL_DOCS))  # every input document once


def test_output_tasks(run):
    tasks = run["tasks"]
    assert len(tasks) == TOTAL_DOCS
    assert all(isinstance(t, FileGroupTask) for t in tasks)
    assert len({t.task_id for t in tasks}) == TOTAL_DOCS
    assert len({t.dataset_name for t in tasks}) == 1
    written = {p for t in tasks for p in t.data}
    assert written == {str(p) for p in (run["root"] / "output").glob("*.jsonl")}


def test_task_id_lineage(run):
    ids = [t.task_id for t in run["tasks"]]
    depths = {len(i.split("_")) for i in ids}
    assert len(depths) == 1, f"ids of unequal depth: {depths}"
    for task_id in ids:
        assert re.fullmatch(r"0_[0-9a-f]{12}(_\d+)+", task_id), task_id


def test_stage_call_counts(run):
    counts = Counter(read_log(run["calls"]))
    assert counts == {
        "add_length_doc_length_1": math.ceil(NUM_FILES / FILES_PER_PARTITION),
        "add_length_doc_length_2": TOTAL_DOCS,
    }


def test_perf_stats(run):
    for task in run["tasks"]:
        assert [p.stage_name for p in task._stage_perf] == STAGE_NAMES
        assert all(p.process_time > 0 for p in task._stage_perf)
        assert task._stage_perf[1].num_items_processed == task._stage_perf[2].num_items_processed
        assert [p.num_items_processed for p in task._stage_perf[3:]] == [1, 1, 1]


def test_perf_stats_combined(run):
    metrics = TaskPerfUtils.collect_stage_metrics(run["tasks"])
    assert set(metrics) == set(STAGE_NAMES)
    for stage_metrics in metrics.values():
        assert isinstance(stage_metrics["process_time"], np.ndarray)
        assert (stage_metrics["process_time"] > 0).all()
    assert (metrics["add_length"]["custom.counter_increment_s"] > 0).all()
    assert (metrics["add_length"]["custom.compute_len_s"] > 0).all()
    assert (metrics["split_into_rows"]["custom.split_into_rows_time_s"] > 0).all()
    # one record per batch: 8 reader batches, 8 + 100 length batches
    assert len(metrics["jsonl_reader"]["process_time"]) == 8
    assert len(metrics["add_length"]["process_time"]) == 108


def test_node_setup_before_worker_setup(run, client):
    events = read_log(run["events"])
    node_setups = [e for e in events if e.startswith("setup_on_node")]
    setups = [e for e in events if e.startswith("setup ")]
    assert len(node_setups) == 1  # one node: every LocalCluster worker is on 127.0.0.1
    assert sorted(e.split()[1] for e in setups) == sorted(client.scheduler_info()["workers"])
    assert events.index(node_setups[0]) < min(events.index(e) for e in setups)
    assert len([e for e in events if e.startswith("teardown")]) == len(setups)


def test_result_reports_stage_totals(run):
    totals = {s.name: s for s in run["tasks"].stages}
    assert totals["split_into_rows"].tasks_out == TOTAL_DOCS
    assert run["tasks"].num_failed == 0
