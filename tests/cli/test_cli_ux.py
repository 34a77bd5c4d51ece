"""What a user of ``curator-dask`` sees: --version, describe per fused chain, hints before any cluster
starts, reader options on the command line, one line per worker failure, a quiet Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from curator_dask.cli.main import main
from curator_dask.examples.corpus import documents, write_jsonl, write_parquet

COPY = """
input_path: ???
output_path: ???
text_field: text
stages:
  - _target_: curator_dask.stages.text.io.reader.JsonlReader
    file_paths: ${input_path}
  - _target_: curator_dask.stages.text.filters.ScoreFilter
    filter_obj: {_target_: curator_dask.stages.text.filters.WordCountFilter, min_words: 3}
    text_field: ${text_field}
  - _target_: curator_dask.stages.text.io.writer.JsonlWriter
    path: ${output_path}
"""


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "curator_dask.cli", *args]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)


@pytest.fixture
def copy_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "copy.yaml"
    path.write_text(COPY)
    return path


def _bad_jsonl(folder: Path) -> None:
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": 1, "text": "one two three four"}\n{bad json\n{"id": 3, "text": "x"}\n')


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("curator-dask 0.") and "(dask 20" in out and ", Python 3." in out


def test_describe_shows_each_chain_once_with_thresholds_and_input_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "in", documents(6, seed=0), num_files=3)
    args = ["describe", "heuristic_english", f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'out'}"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Pipeline: heuristic_english (33 stages in 1 fused chain)" in out
    assert f"Input (file_partitioning): 3 files under '{tmp_path / 'in'}'" in out
    assert out.count("Chain 1: 33 stages, CPU, batch size 1") == 1 and "Chain 2" not in out
    assert "    word_count: WordCountFilter(min_words=50, max_words=100000, lang='en')" in out
    assert "    alpha_numeric: NonAlphaNumericFilter(max_non_alpha_numeric_to_text_ratio=0.25)" in out
    assert "Resources:" not in out  # not repeated per stage; --stages prints NeMo's per-stage listing
    assert main([*args, "--stages"]) == 0
    assert "Stage 33: parquet_writer (ParquetWriter)" in capsys.readouterr().out


def test_describe_of_dedup_shows_the_collection_stage_as_its_own_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_parquet(tmp_path / "in", documents(4, seed=0), num_files=2)
    assert main(["describe", "exact_dedup", f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'o'}"]) == 0
    out = capsys.readouterr().out
    assert "(4 stages in 3 fused chains)" in out and "Input (file_partitioning): 2 files under" in out
    assert "Chain 2: 1 stage, CPU, the whole collection at once (a shuffle)\n  exact_duplicate_identification" in out


def _no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make starting or joining a cluster fail the test: these errors must come first."""

    def connect(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cluster was started before the input was checked")

    monkeypatch.setattr("curator_dask.core.connect", connect)


def test_jsonl_input_to_a_parquet_workflow_names_input_filetype_before_any_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_cluster(monkeypatch)
    write_jsonl(tmp_path / "in", documents(4, seed=0), num_files=2)
    args = ["run", "fuzzy_dedup", f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'o'}", "--local"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("curator-dask: error: InputError: fuzzy_dedup.yaml: No input files found under")
    assert err.rstrip().endswith("The files there are JSONL: pass input_filetype=jsonl")


def test_a_missing_text_column_names_the_column_that_holds_text(
    tmp_path: Path, copy_yaml: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_cluster(monkeypatch)
    write_jsonl(tmp_path / "in", documents(3, seed=0).rename(columns={"text": "content"}), columns=["id", "content"])
    args = ["run", str(copy_yaml), f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'o'}", "--local"]
    assert main(args) == 1
    assert capsys.readouterr().err == (
        f"curator-dask: error: InputError: copy.yaml: the input has no column 'text' (the first file, "
        f"{tmp_path / 'in' / 'part-00.jsonl'}, has ['content', 'id']); pass text_field=content (the column that "
        "holds the text)\n"
    )


def test_reader_options_from_the_command_line(
    client: object, tmp_path: Path, copy_yaml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bad_jsonl(tmp_path / "in")
    address = client.scheduler.address  # type: ignore[attr-defined]
    args = ["run", str(copy_yaml), f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'o'}", "--no-report",
            "--scheduler-address", address]  # fmt: skip
    assert main(args) == 1
    assert (
        capsys.readouterr()
        .err.rstrip()
        .endswith('(it is counted in _metadata["skipped"]).. On the command line: --reader-option on_error=skip.')
    )
    assert main([*args, "--reader-option", "on_error=skip"]) == 0
    rows = [json.loads(line) for f in (tmp_path / "o").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1]  # the bad line skipped, the short text filtered


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("on_eror=skip", "copy.yaml: --reader-option on_eror=...: JsonlReader has no setting 'on_eror' (did you mean "
         "'on_error'?); it takes files_per_partition, blocksize, fields, read_kwargs, task_type, file_extensions, "
         "on_error"),
        ("on_error=maybe", "ConfigError: copy.yaml: --reader-option for JsonlReader: on_error must be 'raise' or "
         "'skip', got 'maybe'"),
        ("on_error", "--reader-option 'on_error' is not key=value; write e.g. --reader-option on_error=skip"),
    ],
)  # fmt: skip
def test_bad_reader_options_are_refused(
    tmp_path: Path, copy_yaml: Path, option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    args = ["describe", str(copy_yaml), f"input_path={tmp_path / 'in'}", "output_path=o", "--reader-option", option]
    assert main(args) == 1
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_a_worker_failure_is_printed_once(tmp_path: Path, copy_yaml: Path) -> None:
    _bad_jsonl(tmp_path / "in")
    done = _cli("run", str(copy_yaml), f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'o'}", "--local",
                "--n-workers", "1", "--no-report")  # fmt: skip
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "Warning" not in line and not line.startswith(" ")]
    errors = [line for line in lines if "malformed JSON" in line]
    assert len(errors) == 1 and errors[0].startswith("curator-dask: error: StageError: Stage 'jsonl_reader' failed")
    assert "Compute Failed" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_ctrl_c_on_cluster_shuts_down_without_tracebacks(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "curator_dask.cli", "cluster", "--n-workers", "2", "--port", "0",
               "--scheduler-file", str(tmp_path / "s.json")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)  # fmt: skip
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(5)]  # up to "running until interrupted"
    assert lines[-1].startswith("running until interrupted"), lines
    os.killpg(process.pid, signal.SIGINT)  # as the terminal does: to every process of the group
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == "SIGINT: shutting down\n"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "ERROR" not in err
    assert not (tmp_path / "s.json").exists()


def test_slurm_checks_reader_options_before_writing_a_script(
    tmp_path: Path, copy_yaml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["slurm", str(copy_yaml), "input_path=i", "output_path=o", "--job-dir", str(tmp_path / "jobs")]
    assert main([*args, "--reader-option", "on_eror=skip"]) == 1
    assert "JsonlReader has no setting 'on_eror' (did you mean 'on_error'?)" in capsys.readouterr().err
    assert not (tmp_path / "jobs").exists()


def test_reader_options_are_refused_for_a_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["input_path=/i", "output_path=/o", "--reader-option", "on_error=skip"]
    assert main(["describe", "exact_dedup", *args]) == 1
    assert main(["slurm", "exact_dedup", *args]) == 1
    err = capsys.readouterr().err.splitlines()
    expected = (
        "curator-dask: error: ConfigError: exact_dedup.yaml: --reader-option applies to 'stages:' files; a workflow "
        "takes read_kwargs=..."
    )
    assert err == [expected, expected]
