"""Local CPU workers forked from the preloaded forkserver: environment, reuse, fallback, recovery."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import psutil
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.core import ClusterHandle, ClusterSpec, connect, forkserver
from curator_dask.core.cluster import WORKER_ENVIRON
from curator_dask.core.forkserver import METHOD_KEY, PRELOAD, START_KEY, WorkerStart, fork_delta, worker_start
from curator_dask.errors import ConfigError, StageError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.writer import JsonlWriter
from tests.backends.dask.pipeline_parts import Hog, KillWorkerOnce, MakeBatches

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork only on Linux")

SPEC = ClusterSpec(kind="local", n_workers=2, dashboard_address=None, report_versions=False)


def worker_facts() -> dict[str, Any]:
    """What a worker inherited: its parent, the nanny's pre-spawn variables, its hashing, its imports."""
    return {
        "parent": os.getppid(),
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "MALLOC_TRIM_THRESHOLD_": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        "CURATOR_DASK_TEST_MARK": os.environ.get("CURATOR_DASK_TEST_MARK"),
        "hash": hash("curator"),
        "missing": [m for m in PRELOAD if m not in sys.modules],
    }


def _launch() -> None:
    """Launch the server (unless it runs) as ``connect`` does, under the local cluster's settings."""
    with dask.config.set(WORKER_ENVIRON):
        worker_start()


@pytest.fixture
def server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's environment made the one the worker server was launched with.

    Clusters started earlier in the session (the session cluster's nannies set variables here)
    change it, and a cluster whose workers would see another environment is spawned instead.
    """
    _launch()
    launched = forkserver._launched or {}
    for key in set(os.environ) - set(launched) - forkserver._IGNORED:
        monkeypatch.delenv(key)
    for key, value in launched.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def started() -> Iterator[list[ClusterHandle]]:
    handles: list[ClusterHandle] = []
    yield handles
    for handle in handles:
        handle.close()


def _facts(handles: list[ClusterHandle], spec: ClusterSpec = SPEC) -> list[dict[str, Any]]:
    handles.append(connect(spec))
    return list(handles[-1].client.run(worker_facts).values())


@pytest.mark.usefixtures("server_env")
def test_workers_fork_from_one_preloaded_server_that_later_clusters_reuse(started: list[ClusterHandle]) -> None:
    first = _facts(started)
    started.pop().close()
    second = _facts(started)
    servers = {f["parent"] for f in first + second}
    assert len(servers) == 1 and os.getpid() not in servers, "every worker is a fork of the same server"
    assert "forkserver" in " ".join(psutil.Process(servers.pop()).cmdline())
    for facts in first + second:
        assert facts["missing"] == [], "the server imported the worker modules once, for every fork"
        # what a nanny sets before spawning a worker, and what spawn would have inherited
        assert facts["PYTHONHASHSEED"] == "6640" and facts["OMP_NUM_THREADS"] == "1"
        assert facts["MALLOC_TRIM_THRESHOLD_"] == os.environ.get("MALLOC_TRIM_THRESHOLD_"), "what spawn would pass"
    assert len({f["hash"] for f in first + second}) == 1, "all workers hash strings alike (shuffles rely on it)"


@pytest.mark.usefixtures("server_env")
def test_variables_set_since_the_server_started_reach_forked_workers_or_they_are_spawned(
    started: list[ClusterHandle], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = forkserver.forkserver._forkserver._forkserver_pid
    monkeypatch.setenv("CURATOR_DASK_TEST_MARK", "changed")  # read by stages, long after the start
    forked = _facts(started, SPEC.replace(n_workers=1))[0]
    assert forked["CURATOR_DASK_TEST_MARK"] == "changed" and forked["parent"] == server
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # read when numpy loads: a fork of the server cannot take it
    spawned = _facts(started, SPEC.replace(n_workers=1))[0]
    assert spawned["OMP_NUM_THREADS"] == "3" and spawned["CURATOR_DASK_TEST_MARK"] == "changed"
    assert spawned["parent"] == os.getpid(), "spawned by its nanny in this process, as Dask does by default"


def test_what_a_fork_is_given_and_when_it_must_spawn_instead() -> None:
    launched = {"HOME": "/root", "OMP_NUM_THREADS": "1", "__DASK_PARENT_PID": "1"}
    pre_spawn = {"OMP_NUM_THREADS": "1"}
    assert fork_delta(launched, {"HOME": "/root", "OMP_NUM_THREADS": "1"}, pre_spawn) == {}
    assert fork_delta(launched, {**launched, "HF_HOME": "/cache", "HOME": "/home/u"}, pre_spawn) == {
        "HF_HOME": "/cache",
        "HOME": "/home/u",
    }
    for at_start in ({"OMP_NUM_THREADS": "4"}, {"MALLOC_ARENA_MAX": "2"}, {"LD_PRELOAD": "x.so"}, {"PYTHONPATH": "/x"}):
        assert fork_delta(launched, {**launched, **at_start}, pre_spawn) is None, at_start
    assert fork_delta(launched, {"OMP_NUM_THREADS": "1"}, pre_spawn) is None, "HOME removed: a fork would keep it"


def test_the_start_method_can_be_chosen_through_dask_config() -> None:
    with dask.config.set({START_KEY: "spawn"}):
        assert worker_start() == WorkerStart("spawn")
    with dask.config.set({METHOD_KEY: "fork"}):  # a user's own choice is left alone
        assert worker_start() == WorkerStart("fork")
    with (
        dask.config.set({START_KEY: "fork-server"}),
        pytest.raises(ConfigError, match=r"curator_dask.worker-start='fork-server' .* use 'forkserver' or 'spawn'"),
    ):
        worker_start()


@pytest.mark.usefixtures("server_env")
def test_a_forked_worker_that_dies_is_replaced_and_the_run_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stages = [MakeBatches(8, rows=2), KillWorkerOnce("3-1", str(tmp_path / "killed.flag")), JsonlWriter(path=str(out))]
    result = Pipeline("loss", stages=stages).run(DaskExecutor({"progress": False}, cluster=SPEC))
    assert (tmp_path / "killed.flag").exists(), "the worker was killed"
    ids = sorted(json.loads(line)["id"] for p in out.glob("*.jsonl") for line in p.read_text().splitlines())
    assert ids == sorted(f"{b}-{r}" for b in range(8) for r in range(2)), "every document exactly once"
    assert any(r.stage_name == "kill_worker_once" and "was lost" in r.reason for r in result.retries)


@pytest.mark.slow
@pytest.mark.usefixtures("server_env")
def test_a_forked_worker_over_its_memory_limit_is_stopped_by_its_nanny() -> None:
    spec = SPEC.replace(n_workers=1, memory_limit="600MiB")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        pytest.raises(StageError, match=r"'hog'.*memory_limit 0.59 GiB"),
    ):
        Pipeline("hog", stages=[MakeBatches(1), Hog(1.5)]).run(DaskExecutor({"progress": False}, cluster=spec))
