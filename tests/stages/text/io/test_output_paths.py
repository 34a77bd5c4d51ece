"""Writer paths: nothing touched before a run, and outputs that would mix with inputs refused up front."""

from __future__ import annotations

import copy
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from curator_dask.errors import OutputError, OutputOverlapError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.file_partitioning import FilePartitioningStage
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter, OutputFolder, ParquetWriter, check_output_paths
from curator_dask.stages.text.io.writer import prepare_outputs as prepare
from tests.stages.text.io.test_writers import batch

FIX = r"Fix: write to a folder outside the input, one that neither is, lies inside nor contains it\."


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """An output folder holding our files, a user's files and a user's folder."""
    out = tmp_path / "full"
    JsonlWriter(str(out)).process(batch())
    (out / "mine.txt").write_text("keep")
    (out / "sub").mkdir()
    (out / "sub" / "deep.jsonl").write_text("{}\n")
    return out


@pytest.mark.parametrize("writer_class", [JsonlWriter, ParquetWriter])
def test_building_copying_and_describing_a_writer_touches_nothing(
    tmp_path: Path, full: Path, writer_class: type
) -> None:
    before = snapshot(full)
    writer = writer_class(str(full), mode="overwrite")
    copies = [copy.deepcopy(writer), pickle.loads(pickle.dumps(writer)), writer.with_(name="again")]
    pipeline = Pipeline("p", stages=[JsonlReader(str(tmp_path / "in")), writer])
    pipeline.build()
    assert "Stage 3: " in pipeline.describe() and len(copies) == 3
    assert snapshot(full) == before
    writer_class(str(tmp_path / "missing"), mode="overwrite")
    assert not (tmp_path / "missing").exists()  # no mkdir either


def test_a_relative_path_is_made_absolute_on_the_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    writer = JsonlWriter("out")
    assert writer.path == str(tmp_path / "out")
    assert JsonlWriter(Path("rel")).path == str(tmp_path / "rel")  # type: ignore[arg-type]
    assert JsonlWriter("memory:///bucket/out").path == "memory:///bucket/out"
    elsewhere = tmp_path / "worker_cwd"
    elsewhere.mkdir()
    code = (
        "import pickle, sys; from tests.stages.text.io.test_writers import batch; "
        "print(pickle.loads(sys.stdin.buffer.read()).process(batch()).data[0])"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[4]), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(writer), cwd=elsewhere, env=env,
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    assert Path(done.stdout.decode().strip()).parent == tmp_path / "out" and not (elsewhere / "out").exists()


@pytest.mark.parametrize(
    ("inputs", "output", "relation"),
    [
        ("data", "data", "is the same folder as"),
        ("data", "data/out", "is inside"),
        ("data/in", "data", "contains"),
        (["data/a.jsonl", "other"], "data", "contains"),
        ("data/*/part-*.jsonl", "data/x/out", "is inside"),
        ("file://{root}/data/", "data/out", "is inside"),
    ],
    ids=["equal", "output-inside-input", "input-inside-output", "list", "glob", "file-url"],
)
def test_an_output_overlapping_an_input_is_refused(
    tmp_path: Path, full: Path, inputs: str | list[str], output: str, relation: str
) -> None:
    def at(path: str) -> str:
        return path.format(root=tmp_path) if "://" in path else str(tmp_path / path)

    reader_paths = [at(p) for p in inputs] if isinstance(inputs, list) else at(inputs)
    stages = [FilePartitioningStage(reader_paths), JsonlWriter(at(output), mode="overwrite")]
    shown = reader_paths[0] if isinstance(reader_paths, list) else reader_paths
    expected = re.escape(f"Writer 'jsonl_writer' writes to '{at(output)}', which {relation} the input path '{shown}'")
    with pytest.raises(OutputOverlapError, match=rf"{expected} of stage 'file_partitioning'.*{FIX}"):
        check_output_paths(stages)
    before = snapshot(full)
    with pytest.raises(OutputOverlapError, match=FIX):  # refused before anything is removed
        prepare([FilePartitioningStage(str(full / "sub")), JsonlWriter(str(full), mode="overwrite")])
    assert snapshot(full) == before


def test_overlap_is_judged_on_resolved_paths_and_urls(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(OutputOverlapError, match="is inside the input path"):
        check_output_paths([JsonlReader(str(tmp_path / "link")), JsonlWriter(str(tmp_path / "real" / "out"))])
    with pytest.raises(OutputOverlapError, match="is the same folder as"):
        check_output_paths([JsonlReader("memory://bucket/data/"), JsonlWriter("memory:///bucket/data")])
    check_output_paths([JsonlReader("memory:///data"), JsonlWriter(str(tmp_path / "data"))])  # another file system
    check_output_paths([JsonlReader(str(tmp_path / "data")), JsonlWriter(str(tmp_path / "data-out"))])  # a sibling


def test_an_output_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n")
    with pytest.raises(
        OutputError, match=rf"Output path '{tmp_path}/a.jsonl/x/out' of writer 'jsonl_writer' is inside "
        rf"'{tmp_path}/a.jsonl', which is a file\. Fix: pass a folder path that does not lie under a file",
    ):  # fmt: skip
        check_output_paths([JsonlWriter(str(tmp_path / "a.jsonl" / "x" / "out"))])


def test_two_writers_of_one_folder_are_prepared_once_and_must_agree(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    first, second = JsonlWriter(out, mode="overwrite"), ParquetWriter(out, mode="overwrite")
    first.process(batch())
    prepare([first, second])
    assert OutputFolder(out).ours() == [] and os.listdir(out) == []
    mismatch = r"Writers 'jsonl_writer' \(mode='overwrite'\) and 'parquet_writer' \(mode='ignore'\) both write to "
    with pytest.raises(OutputError, match=rf"{mismatch}.*Fix: give them the same mode, or each its own folder"):
        check_output_paths([first, ParquetWriter(out)])


def test_writers_resolve_paths_as_readers_do(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from curator_dask.stages.file_partitioning import FilePartitioningStage
    from curator_dask.stages.text.io.writer import JsonlWriter

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert JsonlWriter(path="~/out").path == str(tmp_path / "out")  # ~ expanded, as for inputs
    assert FilePartitioningStage(file_paths="~/in").file_paths == str(tmp_path / "in")
    assert JsonlWriter(path="rel").path == str(tmp_path / "rel")
    assert JsonlWriter(path="memory://bucket/out").path == "memory://bucket/out"
