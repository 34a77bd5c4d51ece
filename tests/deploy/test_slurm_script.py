"""The sbatch script from ``curator-dask slurm --submit``, run by stand-ins for ``sbatch``/``srun``.

The stand-ins (``fake_slurm/``) run the real script and its ``srun`` steps as local processes,
two "nodes" named node0 and node1, so the script's own logic (scheduler file, workers on every
node, waiting for them, the driver, shutdown, per-node logs) is what is tested.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.deploy.helpers import FAKE_SLURM, PIPELINE, check_run, pipeline_overrides, processes_mentioning, run_cli


def _slurm(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    jobs = tmp_path / "jobs"
    path = f"{FAKE_SLURM}{os.pathsep}{os.environ['PATH']}"
    done = run_cli(
        "slurm", str(PIPELINE), *pipeline_overrides(tmp_path), "--nodes", "2", "--job-dir", str(jobs),
        "--threads-per-worker", "1", "--memory-limit", "1GiB", "--start-timeout", "90", "--submit", *extra,
        timeout=240, PATH=path, FAKE_SLURM_PIDS=str(tmp_path / "pids"),
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr, jobs


def test_submitted_script_runs_pipeline_on_every_node_and_stops_everything(tmp_path: Path) -> None:
    rc, output, jobs = _slurm(tmp_path)
    slurm_out = "".join(p.read_text() for p in jobs.glob("slurm-*.out"))
    assert rc == 0, output + slurm_out
    assert "Submitted batch job" in output
    check_run(tmp_path, {"node0", "node1"})
    (run_dir,) = [p for p in jobs.iterdir() if p.is_dir()]
    logs = sorted(p.name for p in (run_dir / "logs").iterdir())
    assert logs[:1] == ["driver.log"] and "worker-node0.log" in logs and "worker-node1.log" in logs
    assert any(name.startswith("scheduler-") for name in logs)
    assert "stage_with_setup" in (run_dir / "logs" / "driver.log").read_text()
    assert processes_mentioning(str(tmp_path)) == []
    for pid in (tmp_path / "pids").read_text().split():
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
