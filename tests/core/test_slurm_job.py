"""The generated sbatch script run by the stand-in ``sbatch``/``srun`` (``tests/deploy/fake_slurm``).

The stand-ins run the real script and its ``srun`` steps as local processes on two "nodes", so
what is tested is the script's own shell: ``set -euo pipefail`` stopping at a failing setup
line, the Python check, workers per node from ``--cpus-per-task``, and a free scheduler port.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.deploy.helpers import FAKE_SLURM, PIPELINE, check_run, pipeline_overrides, processes_mentioning, run_cli


def _submit(tmp_path: Path, *extra: str, timeout: float = 60) -> tuple[int, str, str, Path]:
    """``curator-dask slurm ... --submit`` with the stand-ins; (exit, CLI output, slurm-*.out, job dir)."""
    jobs = tmp_path / "jobs"
    done = run_cli(
        "slurm", str(PIPELINE), *pipeline_overrides(tmp_path), "--nodes", "2", "--job-dir", str(jobs),
        "--submit", *extra, timeout=timeout, PATH=f"{FAKE_SLURM}{os.pathsep}{os.environ['PATH']}",
    )  # fmt: skip
    slurm_out = "".join(p.read_text() for p in jobs.glob("slurm-*.out"))
    return done.returncode, done.stdout + done.stderr, slurm_out, jobs


def test_a_failing_setup_line_stops_the_job_with_its_message(tmp_path: Path) -> None:
    rc, output, slurm_out, jobs = _submit(tmp_path, "--setup", "module-that-is-not-there load x")
    assert rc == 1, output + slurm_out  # the stand-in sbatch passes the failure on
    assert "module-that-is-not-there: command not found" in slurm_out
    assert re.search(r"\[curator-dask\] stopped at line \d+: module-that-is-not-there load x \(exit 127\)", slurm_out)
    assert not list(jobs.glob("*/logs"))  # nothing was started after it


def test_a_python_without_curator_dask_is_named(tmp_path: Path) -> None:
    rc, output, slurm_out, _ = _submit(tmp_path, "--python", "/bin/false")
    assert rc == 1, output + slurm_out
    assert "[curator-dask] /bin/false cannot import curator_dask; activate its environment with --setup or pass " \
        "--python" in slurm_out  # fmt: skip


@pytest.mark.slow
def test_workers_per_cpu_from_the_setup_environment_on_a_free_port(tmp_path: Path) -> None:
    activate = f"export PATH={Path(sys.executable).parent}:$PATH"  # what activating the environment does
    rc, output, slurm_out, jobs = _submit(
        tmp_path, "--cpus-per-task", "1", "--setup", activate, "--memory-limit", "1GiB", "--start-timeout", "90",
        timeout=240,
    )  # fmt: skip
    assert rc == 0, output + slurm_out
    assert "starting dask worker on 2 node(s), expecting 2 worker(s)" in slurm_out
    check_run(tmp_path, {"node0", "node1"})
    (scheduler_log,) = jobs.glob("*/logs/scheduler-*.log")
    port = re.search(r"Scheduler at:\s+tcp://[^:]+:(\d+)", scheduler_log.read_text())
    assert port and port.group(1) != "8786"
    assert processes_mentioning(str(tmp_path)) == []
