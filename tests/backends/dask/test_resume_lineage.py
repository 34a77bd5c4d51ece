"""Resume and worker loss with batches that merge partitions, drop documents and regroup them
after a fan-out (r ids): a killed driver or worker never loses or doubles a document, and a
changed pipeline or input is redone, never skipped as stale, and never deletes a file."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.backends.dask.resume import MARKERS
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter
from tests.backends.dask.pipeline_parts import write_jsonl_inputs
from tests.backends.dask.processes import kill_driver_after_markers
from tests.backends.dask.resume_parts import KillAfterWrite, ShuffleKillingAWorker, regroup_pipeline

ROOT = Path(__file__).resolve().parents[3]
NUM_FILES, NUM_DOCS = 12, 96
KEPT = sorted(f"doc-{i}" for i in range(NUM_DOCS) if not str(i).endswith("3"))


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.jsonl"))}


def _ids(folder: Path) -> list[str]:
    return sorted(json.loads(line)["id"] for text in _files(folder).values() for line in text.splitlines() if line)


def _run(client, inputs: Path, out: Path, drop: str = "3", **config: object):
    pipeline = regroup_pipeline(str(inputs), str(out), str(out.parent / "log"), 0.0, drop)
    return pipeline.run(DaskExecutor(client=client, config={"progress": False, **config}))


@pytest.mark.slow
def test_a_killed_driver_then_a_rerun_equals_an_uninterrupted_run(cluster, client, tmp_path):
    write_jsonl_inputs(tmp_path / "in", NUM_FILES, NUM_DOCS)
    out = tmp_path / "out"
    markers = out / MARKERS
    args = [cluster.scheduler_address, str(tmp_path / "in"), str(out), str(tmp_path / "slow.log")]
    done_before = kill_driver_after_markers("tests.backends.dask.resume_parts", args, markers, 2)
    assert 2 <= len(done_before) < NUM_FILES, "the run was interrupted midway"
    groups = {tuple(json.loads((markers / name).read_text())["group"]) for name in done_before}
    assert all(len(group) == 2 for group in groups), "partitions merged into one batch are marked together"

    rerun = _run(client, tmp_path / "in", out)
    assert set(rerun.skipped_sources) >= done_before
    assert rerun.stale_files == []
    clean = _run(client, tmp_path / "in", tmp_path / "clean")
    assert _files(out) == _files(tmp_path / "clean")  # same files, same rows: nothing missing or doubled
    assert _ids(out) == KEPT
    assert len(list(markers.iterdir())) == NUM_FILES and len(clean) == len(_files(out))


@pytest.mark.slow
def test_a_worker_killed_just_after_a_write_duplicates_nothing(tmp_path):
    write_jsonl_inputs(tmp_path / "in", NUM_FILES, NUM_DOCS)
    out, flag = tmp_path / "out", str(tmp_path / "killed.flag")
    pipeline = regroup_pipeline(str(tmp_path / "in"), str(out), str(tmp_path / "log"), 0.0)
    pipeline.stages[-1] = KillAfterWrite(str(out), doc_id="doc-40", flag=flag)
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with LocalCluster(**options) as lc, Client(lc) as client:
        result = pipeline.run(DaskExecutor(client=client, config={"progress": False}))
        clean = _run(client, tmp_path / "in", tmp_path / "clean")
    assert os.path.exists(flag), "the worker was killed after its write"
    assert any("was lost" in r.reason for r in result.retries)
    assert _files(out) == _files(tmp_path / "clean")  # the rerun chain overwrote its own file
    assert _ids(out) == KEPT and len(result) == len(clean)
    assert not list(out.glob(".*.tmp-*"))


@pytest.mark.slow
def test_a_worker_killed_mid_shuffle_loses_nothing(tmp_path):
    write_jsonl_inputs(tmp_path / "in", 6, 60)
    out = tmp_path / "out"
    stages = [
        JsonlReader(file_paths=str(tmp_path / "in")),
        ShuffleKillingAWorker(str(tmp_path / "killed.flag")),
        JsonlWriter(path=str(out)),
    ]
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with LocalCluster(**options) as lc, Client(lc) as client:
        Pipeline("shuffle", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))
    assert (tmp_path / "killed.flag").exists(), "a worker died mid-shuffle"
    assert _ids(out) == sorted(f"doc-{i}" for i in range(60))


def test_a_changed_pipeline_is_redone_and_files_it_did_not_rewrite_are_reported_not_deleted(client, tmp_path, caplog):
    write_jsonl_inputs(tmp_path / "in", 4, 32)
    out = tmp_path / "out"
    first = _run(client, tmp_path / "in", out, drop="3")
    before = set(_files(out))
    with caplog.at_level(logging.WARNING, logger="curator_dask"):
        second = _run(client, tmp_path / "in", out, drop="1")
    assert second.skipped_sources == [], "a pipeline with another parameter skips nothing"
    assert "holds results of a different pipeline (parameters of 'drop_and_regroup' changed)" in caplog.text
    written = {Path(p).name for task in second for p in task.data}
    stale = {Path(p).name for p in second.stale_files}
    assert stale == before - written and stale, "files of the first run that the second did not rewrite"
    assert set(_files(out)) == written | stale, "and they are still there: reported, not deleted"
    assert "were written by an earlier run that this run did not rewrite" in caplog.text
    assert len(first) == len(before)


def test_an_edited_input_file_is_read_again_and_the_rest_is_skipped(client, tmp_path, caplog):
    write_jsonl_inputs(tmp_path / "in", 4, 32)
    out = tmp_path / "out"
    _run(client, tmp_path / "in", out)
    edited = tmp_path / "in" / "part-02.jsonl"
    with open(edited, "a") as f:
        f.write(json.dumps({"id": "doc-1000", "text": "word word"}) + "\n")
    with caplog.at_level(logging.WARNING, logger="curator_dask"):
        rerun = _run(client, tmp_path / "in", out)
    assert len(rerun.skipped_sources) == 2, "the edited file's partition and its merged twin are redone"
    assert "Input files changed since the earlier run: redoing partitions" in caplog.text
    clean = _run(client, tmp_path / "in", tmp_path / "clean")
    assert len(clean) > 0
    assert {k: v for k, v in _files(out).items() if k not in {Path(p).name for p in rerun.stale_files}} == _files(
        tmp_path / "clean"
    )
    assert "doc-1000" in _ids(out)


def test_a_rerun_of_a_finished_run_with_merged_partitions_skips_everything(client, tmp_path):
    write_jsonl_inputs(tmp_path / "in", 4, 32)
    out = tmp_path / "out"
    first = _run(client, tmp_path / "in", out)
    again = _run(client, tmp_path / "in", out)
    assert len(first) > 0 and len(again) == 0 and len(again.skipped_sources) == 4
    assert again.stale_files == []
    assert _ids(out) == sorted(f"doc-{i}" for i in range(32) if not str(i).endswith("3"))
