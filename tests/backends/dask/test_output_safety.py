"""Nothing of the user's is ever deleted, through every door: ``describe``, ``run``, workflows,
writer modes. Each case snapshots the user's files byte for byte and checks them afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.cli.main import main
from curator_dask.errors import OutputExistsError, OutputOverlapError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.deduplication.exact import ExactDeduplicationWorkflow
from curator_dask.stages.deduplication.fuzzy import FuzzyDeduplicationWorkflow
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter
from tests.backends.dask.pipeline_parts import write_jsonl_inputs

COPY = """
input_path: ???
output_path: ???
stages:
  - _target_: curator_dask.stages.text.io.reader.JsonlReader
    file_paths: ${input_path}
  - _target_: curator_dask.stages.text.io.writer.JsonlWriter
    path: ${output_path}
    mode: overwrite
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """``data/raw`` (the input), plus files of the user's beside it and a hidden one."""
    root = tmp_path / "data"
    write_jsonl_inputs(root / "raw", 3, 12)
    (root / "notes.txt").write_text("my notes")
    (root / ".notes.tmp-keep").write_text("looks like a temp file, is mine")
    return root


def test_describe_with_output_equal_to_input_touches_nothing(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(data)
    assert main(["describe", "heuristic_english", f"input_path={data}", f"output_path={data}"]) == 0
    assert "parquet_writer" in capsys.readouterr().out
    assert snapshot(data) == before


def test_run_with_the_input_inside_the_output_is_refused_before_any_work(
    client: object, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(data)
    address = client.scheduler.address  # type: ignore[attr-defined]
    args = ["run", "heuristic_english", f"input_path={data / 'raw'}", f"output_path={data}", "--no-report"]
    assert main([*args, "--scheduler-address", address]) == 1
    err = capsys.readouterr().err
    assert "OutputOverlapError" in err and f"which contains the input path '{data / 'raw'}'" in err
    assert snapshot(data) == before


@pytest.mark.parametrize("workflow_class", [ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow])
def test_a_workflow_writing_around_its_input_is_refused(client: object, data: Path, workflow_class: type) -> None:
    before = snapshot(data)
    workflow = workflow_class(input_path=str(data / "raw"), output_path=str(data), input_filetype="jsonl")
    with pytest.raises(OutputOverlapError, match="contains the input path"):
        workflow.run(DaskExecutor(client=client, config={"progress": False}))
    assert snapshot(data) == before


def test_overwrite_refuses_a_folder_holding_the_users_files_and_runs_no_stage(client: object, data: Path) -> None:
    out = data / "out"
    out.mkdir()
    (out / "mine.parquet").write_text("not ours")
    before = snapshot(data)
    stages = [JsonlReader(file_paths=str(data / "raw")), JsonlWriter(path=str(out), mode="overwrite")]
    with pytest.raises(OutputExistsError, match=r"holds 1 item\(s\) that curator_dask did not write: 'mine.parquet'"):
        Pipeline("copy", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))
    assert snapshot(data) == before


def test_an_overwrite_rerun_replaces_its_own_output_and_report(
    client: object, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "copy.yaml").write_text(COPY)
    out = tmp_path / "out"
    address = client.scheduler.address  # type: ignore[attr-defined]
    args = ["run", str(tmp_path / "copy.yaml"), f"input_path={data / 'raw'}", f"output_path={out}"]
    for _ in range(2):  # the second run finds only what the first wrote (data files and _report/)
        assert main([*args, "--scheduler-address", address]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for f in out.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(f"doc-{i}" for i in range(12))
    assert (out / "_report" / "stage_report.csv").exists()


def test_ignore_mode_keeps_a_users_temp_looking_file(client: object, data: Path) -> None:
    keep = data / ".notes.tmp-keep"
    stages = [JsonlReader(file_paths=str(data / "raw")), JsonlWriter(path=str(data / "out"))]
    (data / "out").mkdir()
    (data / "out" / keep.name).write_text(keep.read_text())
    Pipeline("copy", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))
    assert (data / "out" / keep.name).read_text() == keep.read_text()
    assert len(list((data / "out").glob("*.jsonl"))) == 3
