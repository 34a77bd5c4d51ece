"""``curator-dask run`` against real ``dask scheduler`` processes: stopped, short of workers, elsewhere.

The module's worker is started in a folder of its own, which holds a decoy
``in/``: a relative path that reached the worker would read the decoy (or write under that
folder) instead of the client's files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_dask.cli.main import main
from tests.backends.dask.pipeline_parts import write_jsonl_inputs
from tests.backends.dask.processes import LoopbackCluster, loopback_cluster
from tests.deploy.helpers import PIPELINE, check_run, processes_mentioning


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackCluster]:
    """A scheduler and one worker whose current directory is a folder of its own."""
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "in").mkdir()
    (folder / "in" / "decoy.jsonl").write_text(json.dumps({"id": "decoy", "text": "not the client's"}) + "\n")
    with loopback_cluster(folder, {"w0": "127.0.0.1"}, cwd=folder) as (cluster, _client):
        yield cluster
    assert processes_mentioning(str(folder)) == []


def test_relative_paths_are_the_clients_not_the_workers(
    elsewhere: LoopbackCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_jsonl_inputs(tmp_path / "in", num_files=4, total_docs=24)
    (tmp_path / "shared").mkdir()
    monkeypatch.chdir(tmp_path)
    args = ["run", str(PIPELINE), "input_path=in", "output_path=out", "shared_dir=shared", "--no-report"]
    assert main([*args, "--scheduler-address", elsewhere.address]) == 0
    check_run(tmp_path, {"127.0.0.1"})  # the client's 24 documents, no decoy, written under tmp_path/out
    assert not (elsewhere.folder / "out").exists() and not (elsewhere.folder / "shared").exists()


def test_too_few_workers_are_reported_with_the_count(
    elsewhere: LoopbackCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(PIPELINE), f"input_path={tmp_path}", "output_path=o", "shared_dir=s"]
    assert main([*args, "--scheduler-file", str(elsewhere.scheduler_file), "--wait-for-workers", "2",
                 "--timeout", "1"]) == 1  # fmt: skip
    assert capsys.readouterr().err == (
        f"curator-dask: error: ClusterError: Only 1 of 2 workers joined the scheduler at {elsewhere.address} within "
        "1 s; start more workers, or lower --wait-for-workers / raise --timeout\n"
    )


@pytest.mark.slow
def test_a_long_wait_says_what_it_waits_for(
    elsewhere: LoopbackCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(PIPELINE), f"input_path={tmp_path}", "output_path=o", "shared_dir=s"]
    assert main([*args, "--scheduler-address", elsewhere.address, "--wait-for-workers", "2", "--timeout", "4"]) == 1
    said = capsys.readouterr().err.splitlines()
    assert said[0] == (
        f"curator-dask: waiting for 2 worker(s) to join the scheduler at {elsewhere.address} (1 so far; up to 1 s more)"
    )
    assert said[1].startswith("curator-dask: error: ClusterError: Only 1 of 2 workers joined")


def test_a_scheduler_file_left_by_a_killed_scheduler_fails_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = LoopbackCluster(tmp_path)
    stopped.scheduler.kill()  # as a crash or `scancel` would: the scheduler file stays behind
    stopped.close()
    args = ["run", str(PIPELINE), f"input_path={tmp_path}", "output_path=o", "shared_dir=s"]
    started = time.monotonic()
    assert main([*args, "--scheduler-file", str(stopped.scheduler_file)]) == 1
    assert time.monotonic() - started < 5  # not the 60 s timeout
    assert capsys.readouterr().err == (
        f"curator-dask: error: ClusterError: Nothing is listening at {stopped.address} (the address in scheduler "
        f"file '{stopped.scheduler_file}'; has its scheduler stopped?): connection refused; start the scheduler "
        "(`dask scheduler` / `curator-dask cluster`) or fix the path\n"
    )
