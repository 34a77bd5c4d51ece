"""The ``curator-dask`` command in-process: help, describe, run, errors, the Slurm script."""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
from pathlib import Path

import pytest

from curator_dask.cli.main import build_parser, main
from curator_dask.core import SlurmJob

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


def test_describe_packaged_pipeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text('{"id": 1, "text": "a"}\n')  # an empty folder is an input error
    args = [f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'out'}", "--n-workers", "3"]
    assert main(["describe", "heuristic_english", *args]) == 0
    out = capsys.readouterr().out
    assert "(33 stages in 1 fused chain)" in out and "bullet_ratio -> parquet_writer" in out
    assert "Cluster: auto" in out and "'n_workers': 3" in out
    assert f"Run report: {tmp_path / 'out'}/_report" in out


def test_describe_checks_inputs_and_contacts_no_scheduler(
    copy_pipeline: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port nothing listens on: describe must not try it
        sock.bind(("127.0.0.1", 0))
        closed = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    before = sorted(tmp_path.rglob("*"))
    assert main(["describe", *copy_pipeline, "--scheduler-address", closed, "--timeout", "60"]) == 0
    assert f"Cluster: address {{'address': '{closed}'" in capsys.readouterr().out
    assert sorted(tmp_path.rglob("*")) == before  # nothing written: no output folder, no report
    missing = [copy_pipeline[0], f"input_path={tmp_path / 'nope'}", copy_pipeline[2]]
    assert main(["describe", *missing]) == 1
    assert capsys.readouterr().err == (
        f"curator-dask: error: InputError: copy.yaml: input path '{tmp_path / 'nope'}' of stage 'file_partitioning' "
        "does not exist; fix the path given on the command line (input_path=...) or in the YAML\n"
    )


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
        (["run", "heuristic_english", "input_path=a", "output_path=b", "--scheduler-address", "tcp://127.0.0.1:9"],
         "ClusterError: Nothing is listening at tcp://127.0.0.1:9: connection refused; start the scheduler "
         "(`dask scheduler` / `curator-dask cluster`) or fix the address"),
        (["describe", "heuristic_english", "input_path=a", "output_path=b", "text_feild=content"],
         "ConfigError: Override 'text_feild=content': heuristic_english.yaml defines no key 'text_feild' (did you "
         "mean 'text_field'?); fix the spelling, or write +text_feild=content to add a new key on purpose"),
        (["describe", "heuristic_english", "input_path=a", "output_path=b", "cluster.n_worker=2"],
         "ConfigError: Override 'cluster.n_worker=2': cluster has no setting 'n_worker' (did you mean 'n_workers'?)"),
        (["describe", "heuristic_english", "input_path=a", "output_path=b", "executor.failure_polcy=raise"],
         "Unknown DaskExecutor config keys ['failure_polcy']"),
    ],
)  # fmt: skip
def test_failures_exit_1_with_one_line(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("curator-dask: error: ")
    assert expected in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "p.yaml", "--n-workers", "0"], "argument --n-workers: must be a whole number >= 1, got '0'"),
        (["run", "p.yaml", "--n-workers=-1"], "argument --n-workers: must be a whole number >= 1, got '-1'"),
        (["describe", "p.yaml", "--threads-per-worker", "0"], "argument --threads-per-worker: must be a whole number "
         ">= 1, got '0'"),
        (["run", "p.yaml", "--wait-for-workers", "0"], "argument --wait-for-workers: must be a whole number >= 1, got "
         "'0'"),
        (["run", "p.yaml", "--wait-for-workers", "two"], "argument --wait-for-workers: must be a whole number >= 1, "
         "got 'two'"),
        (["run", "p.yaml", "--timeout", "0"], "argument --timeout: must be a number > 0, got '0'"),
        (["run", "p.yaml", "--timeout", "nan"], "argument --timeout: must be a number > 0, got 'nan'"),
        (["cluster", "--port", "70000"], "argument --port: must be a whole number from 0 to 65535, got '70000'"),
        (["slurm", "p.yaml", "--nodes", "0"], "argument --nodes: must be a whole number >= 1, got '0'"),
        (["slurm", "p.yaml", "--gpus-per-node", "-1"], "argument --gpus-per-node: must be a whole number >= 0, got "
         "'-1'"),
        (["example", "--workers", "0"], "argument --workers: must be a whole number >= 1, got '0'"),
    ],
)  # fmt: skip
def test_counts_are_checked_when_parsing(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(f"error: {expected}")


def test_slurm_writes_a_valid_gpu_script(copy_pipeline: list[str], tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    args = ["slurm", *copy_pipeline, "--nodes", "3", "--gpus-per-node", "4", "--rmm-pool-size", "24GB",
            "--partition", "batch", "--setup", "module load cuda", "--job-dir", str(jobs)]  # fmt: skip
    assert main(args) == 0
    script = (jobs / "curator-dask.sbatch").read_text()
    for expected in ("#SBATCH --nodes=3", "#SBATCH --gpus-per-node=4", "#SBATCH --partition=batch",
                     "module load cuda", "dask cuda worker", "--rmm-pool-size 24GB", "WORKERS_PER_NODE=4",
                     "--shutdown-cluster", f"output_path={tmp_path / 'out'}"):  # fmt: skip
        assert expected in script, expected
    subprocess.run(["bash", "-n", str(jobs / "curator-dask.sbatch")], check=True)


def test_slurm_submit_without_sbatch_fails_clearly(
    copy_pipeline: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["slurm", *copy_pipeline, "--job-dir", str(tmp_path / "jobs"), "--submit"]) == 1
    assert "sbatch is not on PATH" in capsys.readouterr().err


def test_slurm_flags_are_the_job_fields_and_paths_become_absolute(
    copy_pipeline: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = vars(build_parser().parse_args(["slurm", "p.yaml"]))
    defaults = SlurmJob("p.yaml")
    for f in dataclasses.fields(SlurmJob):  # one flag per field, defaulting to the field's default
        assert parsed[f.name] == (getattr(defaults, f.name) if f.name != "pipeline" else "p.yaml"), f.name
    monkeypatch.chdir(tmp_path)
    args = ["slurm", "copy.yaml", "input_path=in", "output_path=out", "--job-dir", "jobs", "--stop-timeout", "7",
            "--exclusive", "--mem=0", "--sbatch-option=--constraint=cpu", "--threads-per-worker", "2",
            "--cpus-per-task", "4", "--reader-option", "on_error=skip"]  # fmt: skip
    assert main(args) == 0
    script = (tmp_path / "jobs" / "curator-dask.sbatch").read_text()
    for expected in (f"input_path={tmp_path / 'in'} output_path={tmp_path / 'out'}", "deadline=$((SECONDS + 7))",
                     "#SBATCH --cpus-per-task=4\n#SBATCH --mem=0\n#SBATCH --exclusive\n#SBATCH --constraint=cpu",
                     '--nthreads 2 --nworkers "$WORKERS_PER_NODE"', "--reader-option on_error=skip",
                     f"--output={tmp_path / 'jobs'}/slurm-%j.out"):  # fmt: skip
        assert expected in script, expected


def test_run_on_a_local_cluster_checks_inputs_before_starting_it(
    copy_pipeline: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def connect(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cluster was started before the inputs were checked")

    monkeypatch.setattr("curator_dask.core.connect", connect)
    assert main(["run", copy_pipeline[0], f"input_path={tmp_path / 'nope'}", copy_pipeline[2], "--local"]) == 1
    assert f"InputError: copy.yaml: input path '{tmp_path / 'nope'}' of stage 'file_partitioning' does not exist" in (
        capsys.readouterr().err
    )
