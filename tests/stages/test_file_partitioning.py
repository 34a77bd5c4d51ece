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


def test_each_list_entry_must_match_a_file(tmp_path: Path) -> None:
    _make(tmp_path, {"a.jsonl": 1, "notes/readme.txt": 1, "deep/sub/b.jsonl": 1, "c.parquet": 1})
    entries = [str(tmp_path / "a.jsonl"), str(tmp_path / "x*.jsonl"), str(tmp_path / "notes")]
    entries += [str(tmp_path / "deep"), str(tmp_path / "c.parquet"), str(tmp_path / "gone")]
    stage = FilePartitioningStage(entries, file_extensions=[".jsonl"])
    pattern = (
        r"^5 of the 6 entries of file_paths match no input file with extensions \['\.jsonl'\] .*: "
        r"'[^']*/x\*\.jsonl' \(a glob matching no such file\); '[^']*/notes' \(a folder holding no such file; "
        r"list entries are read one level deep\); '[^']*/deep' \(a folder .*\); '[^']*/c\.parquet' \(a file whose "
        r"name has none of these extensions\); '[^']*/gone' \(does not exist\)\. Fix or remove each of these "
        r"entries .*file_extensions=\[\.\.\.\]"
    )
    with pytest.raises(InputError, match=pattern):
        stage.process(EmptyTask())
    # A single string keeps its own messages: nothing found, or the path does not exist.
    with pytest.raises(InputError, match=r"No input files found under '[^']*/notes' with extensions \['\.jsonl'\]"):
        FilePartitioningStage(str(tmp_path / "notes"), file_extensions=[".jsonl"]).process(EmptyTask())
    with pytest.raises(InputError, match=r"Input path '[^']*/gone' does not exist\. Looked for .*Fix the path"):
        FilePartitioningStage(str(tmp_path / "gone")).process(EmptyTask())


@pytest.mark.parametrize("target", [".", ".."], ids=["to-own-folder", "to-parent"])
@pytest.mark.parametrize("as_glob", [False, True], ids=["folder", "glob"])
def test_directory_link_loop_is_named_not_followed_forever(tmp_path: Path, target: str, as_glob: bool) -> None:
    _make(tmp_path, {"data/sub/a.jsonl": 1})
    (tmp_path / "data" / "sub" / "loop").symlink_to(target)
    path = str(tmp_path / "data" / "**" / "*.jsonl") if as_glob else str(tmp_path / "data")
    loop = rf"{tmp_path}/data/sub/loop' points to '{(tmp_path / 'data' / 'sub' / target).resolve()}'"
    with pytest.raises(InputError, match=rf"holds a symbolic link loop: '{loop}.*never end\. Fix: remove or re-point"):
        FilePartitioningStage(path).process(EmptyTask())


def test_loop_through_several_links_is_found_and_linked_folders_are_read(tmp_path: Path) -> None:
    _make(tmp_path, {"x/one.jsonl": 1, "y/two.jsonl": 1})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x").symlink_to(tmp_path / "x")  # a linked folder: its files are input too
    assert _names(_groups(FilePartitioningStage(str(tmp_path / "data")))) == [["one.jsonl"]]
    (tmp_path / "x" / "y").symlink_to(tmp_path / "y")
    (tmp_path / "y" / "back").symlink_to(tmp_path / "x")  # data/x/y/back/y/back/... never ends
    with pytest.raises(InputError, match=r"'[^']*/data/x/y/back' points to '[^']*/x', a folder that listing"):
        FilePartitioningStage(str(tmp_path / "data")).process(EmptyTask())


def test_file_links_that_loop_or_dangle_are_listed_for_the_reader_to_name(tmp_path: Path) -> None:
    _make(tmp_path, {"a.jsonl": 3})
    (tmp_path / "self.jsonl").symlink_to("self.jsonl")
    (tmp_path / "dangling.jsonl").symlink_to("gone.jsonl")
    sizes = {"a.jsonl": 3, "dangling.jsonl": -1, "self.jsonl": -1}
    expected = [(str(tmp_path / name), size) for name, size in sizes.items()]
    assert FilePartitioningStage(str(tmp_path)).list_files() == expected
    assert FilePartitioningStage([str(tmp_path / "self.jsonl")]).list_files() == expected[2:]


def test_local_paths_become_absolute_when_built_urls_do_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _make(tmp_path, {"in/a.jsonl": 1})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    given = ["in", "in/../in/a.jsonl", "~/x.jsonl", "memory:///rel/x", "s3://bucket/key"]
    stage = FilePartitioningStage(given)
    absolute = [str(tmp_path / "in"), str(tmp_path / "in" / "a.jsonl"), str(tmp_path / "home" / "x.jsonl")]
    assert stage.file_paths == [*absolute, "memory:///rel/x", "s3://bucket/key"]
    assert given[0] == "in"  # the caller's list is left as written
    built = FilePartitioningStage("in")
    assert built.file_paths == str(tmp_path / "in")
    monkeypatch.chdir(tmp_path / "in")  # where it runs no longer matters: there is no in/in
    assert _groups(built) == [[str(tmp_path / "in" / "a.jsonl")]]


def test_limit_keeps_the_first_groups_and_total_partitions_counts_all(five: Path) -> None:
    tasks = FilePartitioningStage(str(five), files_per_partition=2, limit=2).process(EmptyTask())
    assert [t._metadata["partition_index"] for t in tasks] == [0, 1]
    assert all(t._metadata["total_partitions"] == 3 for t in tasks)  # NeMo Curator counts before the limit


def test_a_file_larger_than_the_blocksize_is_grouped_alone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _make(tmp_path, {"small.jsonl": 10, "huge.jsonl": 500})
    with caplog.at_level("WARNING"):
        groups = _groups(FilePartitioningStage(str(tmp_path), blocksize=100))
    assert _names(groups) == [["small.jsonl"], ["huge.jsonl"]]
    assert "File group task has exceeded the storage limit per partition" in caplog.text
    assert "huge.jsonl" in caplog.text and "small.jsonl" not in caplog.text.split("partition:")[1].split("]")[0]
    caplog.clear()
    with caplog.at_level("WARNING"):
        _groups(FilePartitioningStage(str(tmp_path), blocksize=1000))
    assert "exceeded" not in caplog.text


def test_sizes_in_nemo_order(tmp_path: Path) -> None:
    _make(tmp_path, {"b.jsonl": 5, "a.jsonl": 9})
    stage = FilePartitioningStage(str(tmp_path))
    assert [Path(p).name for p, _ in stage._get_file_list_with_sizes()] == ["b.jsonl", "a.jsonl"]
    assert [Path(p).name for p, _ in stage._get_file_list_with_sizes(sort_by_size=False)] == ["a.jsonl", "b.jsonl"]
