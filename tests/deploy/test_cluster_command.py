"""``curator-dask cluster`` runs until signalled; pipelines run on it through its scheduler file."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from curator_dask.cli.main import main
from tests.deploy.helpers import PIPELINE, check_run, cli_command, env, pipeline_overrides, processes_mentioning


def test_cluster_serves_runs_until_sigterm(tmp_path: Path) -> None:
    scheduler_file = tmp_path / "scheduler.json"
    args = ["cluster", "--n-workers", "1", "--port", "0", "--dashboard-address", "none",
            "--memory-limit", "1GiB", "--scheduler-file", str(scheduler_file)]  # fmt: skip
    proc = subprocess.Popen([*cli_command(), *args], stdout=subprocess.PIPE, text=True, env=env())
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:  # blocks until the cluster reports that it is up (or exits)
            lines.append(line)
            if line.startswith("running until interrupted"):
                break
        assert any(line.startswith("scheduler address: tcp://127.0.0.1:") for line in lines), lines
        assert scheduler_file.exists()
        rc = main(["run", str(PIPELINE), *pipeline_overrides(tmp_path), "--scheduler-file", str(scheduler_file)])
        assert rc == 0
        check_run(tmp_path, {"127.0.0.1"})
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert "SIGTERM: shutting down" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not scheduler_file.exists()
    assert processes_mentioning(str(tmp_path)) == []
