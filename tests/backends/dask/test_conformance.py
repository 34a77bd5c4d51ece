"""NeMo Curator's backend conformance suite (CONTRACT.md): one body for both frameworks' stages.

The seven-stage pipeline (a JSONL reader over 15 files with two files per partition, a length
stage, a fan-out into 100 single-row batches, a second length stage, a stage whose ``setup`` reads
what ``setup_on_node`` wrote, and a JSONL writer) is built from ``curator_dask``'s classes or from
``nemo_curator``'s and run on ``DaskExecutor`` on the session LocalCluster (worker processes).
Every test runs once per framework, narwhals style; the ``nemo_curator`` case skips itself where
NeMo Curator is not importable. CI's interop run collects this suite through
``tests/interop/test_nemo_conformance.py``.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.tasks.utils import TaskPerfUtils
from tests.backends.dask.pipeline_parts import read_jsonl_folder, read_log, write_jsonl_inputs

NUM_FILES = 15
FILES_PER_PARTITION = 2
TOTAL_DOCS = 100
STAGE_NAMES = ["jsonl_reader", "add_length", "split_into_rows", "add_length", "stage_with_setup", "jsonl_writer"]
OUTPUT_COLUMNS = {"id", "text", "doc_length_1", "doc_length_2", "node_id", "random_string"}
FRAMEWORKS = ("curator_dask", "nemo_curator")
# The test stages, per framework (the rest comes from the framework's mirrored module paths).
PARTS = {"curator_dask": "tests.backends.dask.pipeline_parts", "nemo_curator": "tests.interop.nemo_parts"}
NEMO_MISSING = "NeMo Curator is not importable; CI runs this case in .venv-interop (pip install -e '.[interop]')"


@dataclass(frozen=True)
class ConformanceRun:
    """One framework's run of the pipeline: what ``Pipeline.run`` returned and where it wrote."""

    framework: str
    tasks: Any  # the executor's RunResult: a list of the framework's FileGroupTasks
    root: Path  # output/, calls.log, events.log and the node files of ``StageWithSetup``
    input_dir: Path

    def module(self, path: str) -> ModuleType:
        """The framework's module at ``path`` (module paths mirror NeMo Curator's)."""
        return importlib.import_module(f"{self.framework}.{path}")


def build_pipeline(framework: str, input_dir: Path, root: Path) -> Any:
    """The seven stages from ``framework``'s reader, writer and ``Pipeline`` and its parts module."""
    parts = importlib.import_module(PARTS[framework])
    reader = importlib.import_module(f"{framework}.stages.text.io.reader")
    writer = importlib.import_module(f"{framework}.stages.text.io.writer")
    calls, events = str(root / "calls.log"), str(root / "events.log")
    stages = [
        reader.JsonlReader(file_paths=str(input_dir), files_per_partition=FILES_PER_PARTITION),
        parts.AddLength("doc_length_1", calls),
        parts.SplitIntoRows(),
        parts.AddLength("doc_length_2", calls),
        parts.StageWithSetup(str(root), events),
        writer.JsonlWriter(path=str(root / "output")),
    ]
    return importlib.import_module(f"{framework}.pipeline").Pipeline(name=f"conformance_{framework}", stages=stages)


@pytest.fixture(scope="module")
def run_on(client: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], ConformanceRun]:
    """Runs the pipeline for a framework the first time a test asks for it, on shared inputs."""
    base = tmp_path_factory.mktemp("conformance")
    write_jsonl_inputs(base / "input", NUM_FILES, TOTAL_DOCS)

    @functools.cache
    def run(framework: str) -> ConformanceRun:
        root = base / framework
        root.mkdir()
        tasks = build_pipeline(framework, base / "input", root).run(DaskExecutor(client=client))
        return ConformanceRun(framework, tasks, root, base / "input")

    return run


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Whose stages the pipeline is built from."""
    if request.param == "nemo_curator":
        pytest.importorskip("nemo_curator", reason=NEMO_MISSING)
    return str(request.param)


@pytest.fixture(scope="module")
def run(run_on: Callable[[str], ConformanceRun], framework: str) -> ConformanceRun:
    return run_on(framework)


def test_output_files(run: ConformanceRun) -> None:
    files = sorted((run.root / "output").glob("*.jsonl"))
    assert len(files) == TOTAL_DOCS
    for path in files:
        assert len(path.read_text().splitlines()) == 1, path
    written = read_jsonl_folder(run.root / "output")
    assert set(written.columns) == OUTPUT_COLUMNS and not written.isna().any().any()  # each row has each
    expected = read_jsonl_folder(run.input_dir)  # every input document once, text unchanged
    expected["doc_length_1"] = expected["doc_length_2"] = expected["text"].str.len()
    pd.testing.assert_frame_equal(written[list(expected.columns)], expected)
    for node_id, random_string in set(zip(written["node_id"], written["random_string"], strict=True)):
        assert random_string == (run.root / f"node-{node_id}.txt").read_text()  # what setup read


def test_output_tasks(run: ConformanceRun) -> None:
    tasks = run.tasks
    assert len(tasks) == TOTAL_DOCS
    assert all(isinstance(t, run.module("tasks").FileGroupTask) for t in tasks)
    assert len({t.task_id for t in tasks}) == TOTAL_DOCS
    assert len({t.dataset_name for t in tasks}) == 1
    written = {p for t in tasks for p in t.data}
    assert written == {str(p) for p in (run.root / "output").glob("*.jsonl")}


def test_task_id_lineage(run: ConformanceRun) -> None:
    ids = [t.task_id for t in run.tasks]
    depths = {len(i.split("_")) for i in ids}
    assert len(depths) == 1, f"ids of unequal depth: {depths}"
    for task_id in ids:
        assert re.fullmatch(r"0_[0-9a-f]{12}(_\d+)+", task_id), task_id


def test_stage_call_counts(run: ConformanceRun) -> None:
    assert Counter(read_log(run.root / "calls.log")) == {
        "add_length_doc_length_1": math.ceil(NUM_FILES / FILES_PER_PARTITION),  # one call per reader batch
        "add_length_doc_length_2": TOTAL_DOCS,
    }


def test_perf_stats(run: ConformanceRun) -> None:
    for task in run.tasks:
        assert [p.stage_name for p in task._stage_perf] == STAGE_NAMES
        assert {(type(p).__module__.split(".")[0], type(p).__name__) for p in task._stage_perf} == {
            (run.framework, "StagePerfStats")  # the framework's own records, never the other's
        }
        assert all(p.process_time > 0 for p in task._stage_perf)
        assert task._stage_perf[1].num_items_processed == task._stage_perf[2].num_items_processed
        assert [p.num_items_processed for p in task._stage_perf[3:]] == [1, 1, 1]


def test_perf_stats_combined(run: ConformanceRun) -> None:
    metrics = run.module("tasks.utils").TaskPerfUtils.collect_stage_metrics(run.tasks)
    assert set(metrics) == set(STAGE_NAMES)
    for stage_metrics in metrics.values():
        assert isinstance(stage_metrics["process_time"], np.ndarray)
        assert (stage_metrics["process_time"] > 0).all()
    assert (metrics["add_length"]["custom.counter_increment_s"] > 0).all()
    assert (metrics["add_length"]["custom.compute_len_s"] > 0).all()
    assert (metrics["split_into_rows"]["custom.split_into_rows_time_s"] > 0).all()
    # curator_dask's TaskPerfUtils keeps one record per batch (NeMo Curator's tells records apart by
    # object identity, which pickling between processes loses): 8 reader batches, 8 + 100 length ones
    batches = TaskPerfUtils.collect_stage_metrics(run.tasks)
    assert len(batches["jsonl_reader"]["process_time"]) == 8
    assert len(batches["add_length"]["process_time"]) == 108


def test_node_setup_before_worker_setup(run: ConformanceRun, client: Any) -> None:
    events = read_log(run.root / "events.log")
    node_setups = [e for e in events if e.startswith("setup_on_node")]
    setups = [e for e in events if e.startswith("setup ")]
    assert len(node_setups) == 1  # one node: every LocalCluster worker is on 127.0.0.1
    assert sorted(e.split()[1] for e in setups) == sorted(client.scheduler_info()["workers"])
    assert events.index(node_setups[0]) < min(events.index(e) for e in setups)
    assert len([e for e in events if e.startswith("teardown")]) == len(setups)


def test_result_reports_stage_totals(run: ConformanceRun) -> None:
    totals = {s.name: s for s in run.tasks.stages}
    assert totals["split_into_rows"].tasks_out == TOTAL_DOCS
    assert run.tasks.num_failed == 0


def test_nemo_curator_stages_get_the_same_ids(run_on: Callable[[str], ConformanceRun]) -> None:
    """The same pipeline from either framework's classes gets the same task ids on DaskExecutor."""
    pytest.importorskip("nemo_curator", reason=NEMO_MISSING)
    ids = {framework: sorted(t.task_id for t in run_on(framework).tasks) for framework in FRAMEWORKS}
    assert ids["nemo_curator"] == ids["curator_dask"]
