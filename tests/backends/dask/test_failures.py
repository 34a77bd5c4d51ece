"""Failures lose nothing: a dying worker, a memory hog, a failing setup — each provoked for real
on its own LocalCluster with worker processes, and the output checked row by row."""

from __future__ import annotations

import json
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import StageError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.writer import JsonlWriter
from tests.backends.dask.pipeline_parts import FailSetupOn, Hog, KillWorkerOnce, MakeBatches

pytestmark = pytest.mark.slow


def _cluster(**kwargs: object) -> LocalCluster:
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    return LocalCluster(**{**options, **kwargs})


def _written_rows(folder: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows


def test_a_dying_worker_loses_nothing_and_duplicates_nothing(tmp_path):
    out = tmp_path / "out"
    stages = [
        MakeBatches(12, rows=3),
        KillWorkerOnce("5-1", str(tmp_path / "killed.flag")),
        JsonlWriter(path=str(out)),
    ]
    with _cluster() as lc, Client(lc) as client:
        result = Pipeline("loss", stages=stages).run(DaskExecutor(client=client))
    assert (tmp_path / "killed.flag").exists(), "the worker was killed"
    rows = _written_rows(out)
    expected = sorted(f"{b}-{r}" for b in range(12) for r in range(3))
    assert sorted(r["id"] for r in rows) == expected  # every document exactly once
    assert [r["text"] for r in rows if not str(r["text"]).endswith("!") or str(r["text"]).endswith("!!")] == []
    assert len(list(out.glob("*.jsonl"))) == 12 and not list(out.glob(".*.tmp-*"))  # no duplicates, no temp files
    assert result.retries, "the result says which chains ran again"
    assert any(r.stage_name == "kill_worker_once" and "was lost" in r.reason for r in result.retries)


def test_a_task_over_the_memory_limit_is_a_clear_error(tmp_path):
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        _cluster(n_workers=1, memory_limit="600MiB") as lc,
        Client(lc) as client,
        pytest.raises(StageError) as info,
    ):
        Pipeline("hog", stages=[MakeBatches(1), Hog(1.5)]).run(DaskExecutor(client=client))
    message = str(info.value)
    assert "'hog'" in message and "memory_limit 0.59 GiB" in message
    assert "raise it (ClusterSpec(memory_limit=...)" in message


def test_a_worker_whose_setup_fails_can_be_excluded(tmp_path):
    out = tmp_path / "out"
    with _cluster() as lc, Client(lc) as client:
        bad = sorted(client.scheduler_info()["workers"])[0]
        stages = [MakeBatches(6, rows=2), FailSetupOn(bad), JsonlWriter(path=str(out))]
        with pytest.raises(Exception, match="GPU driver too old on this worker"):
            Pipeline("setup", stages=list(stages)).run(DaskExecutor(client=client))
        result = Pipeline("setup", stages=list(stages)).run(
            DaskExecutor(client=client, config={"on_setup_error": "exclude_worker", "resume": False})
        )
        assert list(result.excluded_workers) == [bad]
        assert "GPU driver too old" in result.excluded_workers[bad]
        assert bad not in client.scheduler_info()["workers"]
    assert sorted(r["id"] for r in _written_rows(out)) == sorted(f"{b}-{r}" for b in range(6) for r in range(2))
