"""Resumable runs: a run killed midway and rerun ends with exactly the output of an uninterrupted
run, and the rerun skips the input partitions that were completely written."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.backends.dask.resume import MARKERS
from tests.backends.dask.pipeline_parts import read_log, resumable_pipeline, write_jsonl_inputs
from tests.backends.dask.processes import kill_driver_after_markers

ROOT = Path(__file__).resolve().parents[3]
NUM_FILES = 10


def _run(client, tmp_path: Path, out: Path, log: str, **config: object):
    pipeline = resumable_pipeline(str(tmp_path / "in"), str(out), str(tmp_path / log), 0.0)
    return pipeline.run(DaskExecutor(client=client, config=config or None))


def _batches(log: Path) -> int:
    return sum(1 for line in read_log(log) if line.startswith("batch"))


def _outputs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.jsonl"))}


@pytest.mark.slow
def test_killed_run_then_rerun_equals_an_uninterrupted_run(cluster, client, tmp_path):
    write_jsonl_inputs(tmp_path / "in", NUM_FILES, 40)
    out, log = tmp_path / "out", tmp_path / "slow.log"
    markers = out / MARKERS
    args = [cluster.scheduler_address, str(tmp_path / "in"), str(out), str(log)]
    done_before = kill_driver_after_markers("tests.backends.dask.pipeline_parts", args, markers, 3)
    assert len(done_before) < NUM_FILES, "the run was interrupted midway"

    rerun = resumable_pipeline(str(tmp_path / "in"), str(out), str(tmp_path / "rerun.log"), 0.0).run(
        DaskExecutor(client=client)
    )
    assert set(rerun.skipped_sources) >= done_before
    assert sum(1 for line in read_log(tmp_path / "rerun.log") if line.startswith("batch")) <= NUM_FILES - len(
        done_before
    )

    clean = tmp_path / "clean"
    resumable_pipeline(str(tmp_path / "in"), str(clean), str(tmp_path / "clean.log"), 0.0).run(
        DaskExecutor(client=client)
    )
    assert _outputs(out) == _outputs(clean)  # same files, same rows, nothing missing or doubled
    assert len(_outputs(clean)) == 40
    assert not list(out.glob(".*.tmp-*"))
    assert len(list(markers.iterdir())) == NUM_FILES


def test_rerun_of_a_finished_run_skips_everything(client, tmp_path):
    write_jsonl_inputs(tmp_path / "in", 4, 8)
    out = tmp_path / "out"
    first = _run(client, tmp_path, out, "a.log")
    assert len(first) == 8 and not first.skipped_sources
    again = _run(client, tmp_path, out, "b.log")
    assert len(again) == 0 and len(again.skipped_sources) == 4
    assert _batches(tmp_path / "b.log") == 0


def test_resume_false_reruns_everything(client, tmp_path):
    write_jsonl_inputs(tmp_path / "in", 2, 4)
    out = tmp_path / "out"
    for _ in range(2):
        assert len(_run(client, tmp_path, out, "c.log", resume=False)) == 4
