"""The ``curator-dask`` command in-process: help, describe, run, errors, the Slurm script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from curator_dask.cli.main import main

SUBCOMMANDS = ["example", "run", "describe", "cluster", "slurm"]
COPY_PIPELINE = """
input_path: ???
output_path: ???
stages:
  - _target_: curator_dask.stages.text.io.reader.JsonlReader
    file_paths: ${input_path}
    with_: {jsonl_reader: {batch_size: 2}}
  - _target_: curator_dask.stages.text.io.writer.JsonlWriter
    path: ${output_path}
"""


@pytest.fixture
def copy_pipeline(tmp_path: Path) -> list[str]:
    """A two-stage YAML (read JSONL, write JSONL) and the arguments that run it."""
    (tmp_path / "in").mkdir()
    for f in range(3):
        rows = [{"id": f"{f}-{i}", "text": "word " * (i + 1)} for i in range(4)]
        (tmp_path / "in" / f"{f}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "copy.yaml").write_text(COPY_PIPELINE)
    return [str(tmp_path / "copy.yaml"), f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'out'}"]


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)])
def test_help_everywhere(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: curator-dask {' '.join(command)}".rstrip())


def test_describe_packaged_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["describe", "heuristic_english", "input_path=/data/in", "output_path=/data/out", "--n-workers", "3"]) == 0
    )
    out = capsys.readouterr().out
    assert "Stages: 33" in out and "Stage 33: parquet_writer" in out
    assert "Cluster: auto" in out and "'n_workers': 3" in out
    assert "Run report: /data/out/_report" in out


def test_run_on_existing_scheduler_writes_output_and_report(
    client: object, copy_pipeline: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = client.scheduler.address  # type: ignore[attr-defined]
    assert main(["run", *copy_pipeline, "--scheduler-address", address, "--report-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "jsonl_writer" in out and "wall time" in out
    assert sum(len(f.read_text().splitlines()) for f in (tmp_path / "out").glob("*.jsonl")) == 12
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "stage_report.csv",
        "stage_report.md",
        "stage_times.png",
    ]
    assert client.scheduler_info()["workers"]  # type: ignore[attr-defined]  # the cluster was left running


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "no-such.yaml"], "Pipeline file 'no-such.yaml' not found"),
        (["run", "heuristic_english"], "input_path, output_path must be set"),
        (["describe", "heuristic_english", "input_path"], "Override 'input_path' is not key=value"),
        (["run", "heuristic_english", "input_path=a", "output_path=b", "--scheduler-file", "/no/s.json"],
         "Scheduler file '/no/s.json' does not exist; start the scheduler with --scheduler-file"),
        (["run", "heuristic_english", "input_path=a", "output_path=b", "--gpu", "--scheduler-file", "s.json"],
         "--gpu starts a local GPU cluster"),
        (["run", "heuristic_english", "input_path=a", "output_path=b", "--scheduler-address", "tcp://127.0.0.1:9",
          "--timeout", "0.5"], "Cannot reach the scheduler at 'tcp://127.0.0.1:9'"),
    ],
)  # fmt: skip
def test_failures_exit_1_with_one_line(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("curator-dask: error: ")
    assert expected in err


def test_slurm_writes_a_valid_gpu_script(copy_pipeline: list[str], tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    args = ["slurm", *copy_pipeline, "--nodes", "3", "--gpus-per-node", "4", "--rmm-pool-size", "24GB",
            "--partition", "batch", "--setup", "module load cuda", "--job-dir", str(jobs)]  # fmt: skip
    assert main(args) == 0
    script = (jobs / "curator-dask.sbatch").read_text()
    for expected in ("#SBATCH --nodes=3", "#SBATCH --gpus-per-node=4", "#SBATCH --partition=batch",
                     "module load cuda", "dask cuda worker", "--rmm-pool-size 24GB", "EXPECTED_WORKERS=$((NODES * 4))",
                     "--shutdown-cluster", f"output_path={tmp_path / 'out'}"):  # fmt: skip
        assert expected in script, expected
    subprocess.run(["bash", "-n", str(jobs / "curator-dask.sbatch")], check=True)


def test_slurm_submit_without_sbatch_fails_clearly(
    copy_pipeline: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["slurm", *copy_pipeline, "--job-dir", str(tmp_path / "jobs"), "--submit"]) == 1
    assert "sbatch is not on PATH" in capsys.readouterr().err
