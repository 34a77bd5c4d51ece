"""``curator-dask run`` as a subprocess against real ``dask scheduler`` / ``dask worker`` processes.

Workers listen on 127.0.0.2 and 127.0.0.3, two nodes to the executor. The pipeline's stage
records its node set-up, so the test sees that it ran once per node.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.dask.processes import LoopbackCluster, loopback_cluster
from tests.deploy.helpers import PIPELINE, check_run, pipeline_overrides, processes_mentioning, run_cli

NODES = {"127.0.0.2", "127.0.0.3"}


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackCluster]:
    folder = tmp_path_factory.mktemp("loopback")
    with loopback_cluster(folder, {"node-a": "127.0.0.2", "node-b": "127.0.0.3"}) as (cluster, _client):
        yield cluster
    assert processes_mentioning(str(folder)) == []


@pytest.mark.parametrize("how", ["--scheduler-address", "--scheduler-file"])
def test_run_on_running_scheduler(scheduler: LoopbackCluster, tmp_path: Path, how: str) -> None:
    target = scheduler.address if how == "--scheduler-address" else str(scheduler.scheduler_file)
    done = run_cli("run", str(PIPELINE), *pipeline_overrides(tmp_path), how, target, "--wait-for-workers", "2")
    assert done.returncode == 0, done.stderr
    check_run(tmp_path, NODES)
    assert (tmp_path / "out" / "_report" / "stage_report.csv").exists()
    assert "stage_with_setup" in done.stdout  # the per-stage table was printed
