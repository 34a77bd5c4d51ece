"""``ClientPartitioningStage``: groups from a root folder or a JSON list of its files."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest

from curator_dask.errors import InputError
from curator_dask.stages.client_partitioning import ClientPartitioningStage
from curator_dask.stages.file_partitioning import FilePartitioningStage
from curator_dask.tasks import EmptyTask


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for name in ("b.jsonl", "a.jsonl", "sub/c.json", "notes.txt", "sub/.hidden.jsonl", "d.parquet"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}\n")
    return tmp_path


def _names(stage: ClientPartitioningStage) -> list[list[str]]:
    return [[Path(p).name for p in task.data] for task in stage.process(EmptyTask())]


def test_lists_the_root_recursively_with_nemo_defaults(root: Path) -> None:
    stage = ClientPartitioningStage(file_paths=str(root))
    assert isinstance(stage, FilePartitioningStage) and stage.name == "client_partitioning"
    assert stage.file_extensions == [".jsonl", ".json", ".parquet"]
    assert _names(stage) == [["a.jsonl"], ["b.jsonl"], ["d.parquet"], ["c.json"]]


def test_limit_cuts_files_before_grouping(root: Path) -> None:
    stage = ClientPartitioningStage(file_paths=str(root), files_per_partition=2, limit=3)
    tasks = stage.process(EmptyTask())
    assert [[Path(p).name for p in t.data] for t in tasks] == [["a.jsonl", "b.jsonl"], ["d.parquet"]]
    assert [t._metadata["total_partitions"] for t in tasks] == [2, 2]
    assert all(t._metadata["source_files"] == t.data for t in tasks)


def test_a_json_list_names_the_files(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    listing = tmp_path_factory.mktemp("lists") / "list.json"
    listing.write_text(json.dumps([str(root / "sub/c.json"), str(root / "a.jsonl"), str(root / "a.jsonl")]))
    stage = ClientPartitioningStage(file_paths=str(root), input_list_json_path=str(listing))
    assert _names(stage) == [["a.jsonl"], ["c.json"]]


def test_a_listed_path_outside_the_root_is_refused(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    listing = tmp_path_factory.mktemp("lists") / "list.json"
    listing.write_text(json.dumps(["/elsewhere/x.jsonl"]))
    stage = ClientPartitioningStage(file_paths=str(root), input_list_json_path=str(listing))
    with pytest.raises(InputError, match=r"Input path /elsewhere/x.jsonl is not under root .*1 of the 1 entries"):
        stage.process(EmptyTask())


def test_a_list_json_that_is_not_an_array_is_a_type_error(root: Path) -> None:
    (root / "list.json").write_text('{"files": []}')
    stage = ClientPartitioningStage(file_paths=str(root), input_list_json_path=str(root / "list.json"))
    with pytest.raises(TypeError, match="must be an array of paths under"):
        stage.process(EmptyTask())


def test_a_missing_root_is_an_error_an_empty_one_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(InputError, match=r"Input root .* does not exist"):
        ClientPartitioningStage(file_paths=str(tmp_path / "nope")).process(EmptyTask())
    with caplog.at_level("WARNING"):
        assert ClientPartitioningStage(file_paths=str(tmp_path)).process(EmptyTask()) == []
    assert "No files with extensions" in caplog.text


def test_a_url_root_keeps_its_protocol_and_storage_options_reach_the_reader() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/cp_root/x/a.jsonl", b"{}\n")
    stage = ClientPartitioningStage(file_paths="memory://cp_root", storage_options={"skip_instance_cache": False})
    stage.setup()
    (task,) = stage.process(EmptyTask())
    assert task.data == ["memory:///cp_root/x/a.jsonl"]
    assert task.reader_config == {"storage_options": {"skip_instance_cache": False}}


def test_only_one_root_is_taken(root: Path) -> None:
    with pytest.raises(TypeError, match="takes one root folder as file_paths"):
        ClientPartitioningStage(file_paths=[str(root)])
