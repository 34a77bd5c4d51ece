"""``FilePartitioningStage``: listing, grouping, determinism and the errors for missing input."""

from __future__ import annotations

import uuid
from pathlib import Path

import fsspec
import pytest

from curator_dask.errors import InputError
from curator_dask.stages.file_partitioning import FilePartitioningStage
from curator_dask.tasks import EmptyTask, FileGroupTask
from curator_dask.tasks.tasks import deterministic_hash


def _make(directory: Path, names_and_sizes: dict[str, int]) -> Path:
    for name, size in names_and_sizes.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    return directory


def _groups(stage: FilePartitioningStage) -> list[list[str]]:
    return [task.data for task in stage.process(EmptyTask())]


def _names(groups: list[list[str]]) -> list[list[str]]:
    return [[Path(p).name for p in group] for group in groups]


@pytest.fixture
def five(tmp_path: Path) -> Path:
    # Created out of order: the groups must follow the sorted paths, not creation order.
    return _make(tmp_path / "ds", {f"f{i}.jsonl": 10 for i in (3, 0, 4, 1, 2)})


def test_groups_by_count_in_sorted_order_with_metadata(five: Path) -> None:
    tasks = FilePartitioningStage(str(five), files_per_partition=2).process(EmptyTask())
    assert _names([t.data for t in tasks]) == [["f0.jsonl", "f1.jsonl"], ["f2.jsonl", "f3.jsonl"], ["f4.jsonl"]]
    assert all(isinstance(t, FileGroupTask) and t.dataset_name == "ds" for t in tasks)
    assert [t._metadata["partition_index"] for t in tasks] == [0, 1, 2]
    assert all(t._metadata["total_partitions"] == 3 for t in tasks)
    assert all(t._metadata["source_files"] == t.data and t.reader_config == {} for t in tasks)


def test_default_is_one_file_per_group_and_limit_caps_groups(five: Path) -> None:
    assert len(_groups(FilePartitioningStage(str(five)))) == 5
    assert _names(_groups(FilePartitioningStage(str(five), limit=2))) == [["f0.jsonl"], ["f1.jsonl"]]


def test_groups_by_blocksize_pack_smallest_first(tmp_path: Path) -> None:
    _make(tmp_path, {"a.jsonl": 40, "b.jsonl": 10, "c.jsonl": 30, "d.jsonl": 20})
    groups = _groups(FilePartitioningStage(str(tmp_path), blocksize=50))
    assert _names(groups) == [["b.jsonl", "d.jsonl"], ["c.jsonl"], ["a.jsonl"]]
    assert len(_groups(FilePartitioningStage(str(tmp_path), blocksize="1KiB"))) == 1


def test_bad_partitioning_options_raise() -> None:
    with pytest.raises(ValueError, match="only one is allowed"):
        FilePartitioningStage("x", files_per_partition=2, blocksize="1MB")
    with pytest.raises(ValueError, match="positive"):
        FilePartitioningStage("x", files_per_partition=0)
    with pytest.raises(TypeError, match="string or a list"):
        FilePartitioningStage(42)  # type: ignore[arg-type]


def test_directory_recurses_list_entries_do_not(tmp_path: Path) -> None:
    _make(tmp_path, {"top.jsonl": 1, "sub/deep.jsonl": 1, "sub/deeper/x.json": 1})
    assert _names(_groups(FilePartitioningStage(str(tmp_path), files_per_partition=10))) == [
        ["deep.jsonl", "x.json", "top.jsonl"]  # sorted by full path: sub/... before top.jsonl
    ]
    listed = FilePartitioningStage([str(tmp_path / "sub"), str(tmp_path / "top.jsonl")], files_per_partition=10)
    assert _names(_groups(listed)) == [["deep.jsonl", "top.jsonl"]]


def test_glob_and_file_url(tmp_path: Path) -> None:
    _make(tmp_path, {"a1.jsonl": 1, "a2.jsonl": 1, "b.jsonl": 1})
    assert _names(_groups(FilePartitioningStage(str(tmp_path / "a*.jsonl")))) == [["a1.jsonl"], ["a2.jsonl"]]
    groups = _groups(FilePartitioningStage(f"file://{tmp_path}", files_per_partition=5))
    assert groups == [[str(tmp_path / n) for n in ("a1.jsonl", "a2.jsonl", "b.jsonl")]]


def test_memory_url_keeps_protocol_and_storage_options_reach_reader_config() -> None:
    root = f"memory:///part-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    for name in ("b.parquet", "a.parquet", "c.txt"):
        fs.pipe(f"{root}/in/{name}", b"data")
    stage = FilePartitioningStage(
        f"{root}/in", file_extensions=[".parquet"], storage_options={"skip_instance_cache": True}
    )
    tasks = stage.process(EmptyTask())
    assert [t.data for t in tasks] == [[f"{root}/in/a.parquet"], [f"{root}/in/b.parquet"]]
    assert fsspec.open(tasks[0].data[0], "rb").open().read() == b"data"
    assert tasks[0].reader_config == {"storage_options": {"skip_instance_cache": True}}


def test_extensions_filter_keep_compressed_and_skip_hidden(tmp_path: Path) -> None:
    _make(tmp_path, {"a.jsonl": 1, "b.json": 1, "c.jsonl.gz": 1, "d.JSONL.zst": 1, "e.txt": 1, "f.parquet": 1})
    _make(tmp_path, {".g.jsonl": 1, ".h.jsonl.tmp-1234": 1})
    default = FilePartitioningStage(str(tmp_path), file_extensions=[".jsonl", ".json"], files_per_partition=9)
    assert _names(_groups(default)) == [["a.jsonl", "b.json", "c.jsonl.gz", "d.JSONL.zst"]]
    assert _names(_groups(FilePartitioningStage(str(tmp_path), file_extensions=["txt"]))) == [["e.txt"]]
    assert len(_groups(FilePartitioningStage(str(tmp_path)))) == 5  # JSONL and Parquet by default


def test_groups_and_ids_are_deterministic(five: Path) -> None:
    first = FilePartitioningStage(str(five), files_per_partition=2).process(EmptyTask())
    again = FilePartitioningStage([str(p) for p in sorted(five.iterdir(), reverse=True)], files_per_partition=2)
    second = again.process(EmptyTask())
    assert [t.data for t in first] == [t.data for t in second]
    assert [t.get_deterministic_id() for t in first] == [deterministic_hash(t.data) for t in second]
    assert len({t.get_deterministic_id() for t in first}) == 3


def test_missing_path_names_path_extensions_and_fix(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError) as info:
        FilePartitioningStage([str(missing)], file_extensions=[".jsonl"]).process(EmptyTask())
    message = str(info.value)
    assert str(missing) in message and ".jsonl" in message and "Fix" in message


def test_directory_without_matching_files_names_extensions(tmp_path: Path) -> None:
    _make(tmp_path, {"notes.txt": 3})
    with pytest.raises(InputError, match=r"No input files found under .*\.jsonl.*file_extensions"):
        FilePartitioningStage(str(tmp_path), file_extensions=[".jsonl"]).process(EmptyTask())


def test_stage_attributes() -> None:
    stage = FilePartitioningStage("x")
    assert stage.name == "file_partitioning" and stage.is_source_stage
    assert stage.resources.cpus == 0.5 and stage.num_workers() == 1
    assert "by 1 files" in stage.get_description()
