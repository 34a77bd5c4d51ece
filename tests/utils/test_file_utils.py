"""``curator_dask.utils.file_utils``: listing, dataset names, sizes, JSON files, output folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import fsspec
import pytest

from curator_dask.errors import ConfigError, OutputExistsError
from curator_dask.stages.text.io.writer.manifest import OutputFolder
from curator_dask.utils.file_utils import (
    create_or_overwrite_dir,
    get_all_file_paths_and_size_under,
    get_all_file_paths_under,
    get_default_file_extensions,
    infer_dataset_name_from_path,
    parse_bytes_string_to_int,
    read_json_file,
    write_json_file,
)


def _tree(root: Path, files: dict[str, int]) -> None:
    for name, size in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)


def test_listing_recurses_only_when_asked_and_keeps_compressed_and_named_extensions(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.jsonl": 1, "b.JSON": 1, "c.txt": 1, "d.jsonl.zst": 1, "sub/e.jsonl": 1, ".f.jsonl": 1})
    top = get_all_file_paths_under(str(tmp_path), keep_extensions=["jsonl", ".json"])
    assert top == [str(tmp_path / n) for n in ("a.jsonl", "b.JSON", "d.jsonl.zst")]  # hidden .f left out
    deep = get_all_file_paths_under(str(tmp_path), recurse_subdirectories=True, keep_extensions=".jsonl")
    assert deep == [str(tmp_path / n) for n in ("a.jsonl", "d.jsonl.zst", "sub/e.jsonl")]
    assert len(get_all_file_paths_under(str(tmp_path), recurse_subdirectories=True)) == 5


def test_listing_a_file_a_glob_and_a_missing_path(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.jsonl": 1, "b.parquet": 1})
    assert get_all_file_paths_under(str(tmp_path / "a.jsonl")) == [str(tmp_path / "a.jsonl")]
    assert get_all_file_paths_under(str(tmp_path / "*.parquet")) == [str(tmp_path / "b.parquet")]
    assert get_all_file_paths_under(str(tmp_path / "nope")) == []


def test_sizes_sort_smallest_first_or_by_path(tmp_path: Path) -> None:
    _tree(tmp_path, {"big.jsonl": 30, "small.jsonl": 10, "mid.jsonl": 20})
    by_size = get_all_file_paths_and_size_under(str(tmp_path))
    assert [(Path(p).name, s) for p, s in by_size] == [("small.jsonl", 10), ("mid.jsonl", 20), ("big.jsonl", 30)]
    by_path = get_all_file_paths_and_size_under(str(tmp_path), sort_by_size=False)
    assert [Path(p).name for p, _ in by_path] == ["big.jsonl", "mid.jsonl", "small.jsonl"]


def test_urls_keep_their_protocol() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/fu_list/x/a.jsonl", b"{}")
    assert get_all_file_paths_under("memory://fu_list", recurse_subdirectories=True) == ["memory:///fu_list/x/a.jsonl"]


@pytest.mark.parametrize(
    ("path", "kind", "name"),
    [
        ("/data/Web_Crawl/part-0.jsonl", "file", "web_crawl"),
        ("part-0.jsonl", "file", "part-0"),
        ("s3://bucket/corpora/Books/", "file", "books"),
        ("s3://only-bucket", "file", "only-bucket"),
        ("/data/Web_Crawl/", "directory", "web_crawl"),
    ],
)
def test_dataset_names(path: str, kind: str, name: str) -> None:
    assert infer_dataset_name_from_path(path, path_kind=kind) == name  # type: ignore[arg-type]


def test_byte_strings() -> None:
    assert [parse_bytes_string_to_int(s) for s in ("10", "2kB", "1KiB", "1.5MB", 7)] == [10, 2000, 1024, 1_500_000, 7]
    with pytest.raises(ConfigError, match=r"Could not interpret '12 parsecs' as a size in bytes"):
        parse_bytes_string_to_int("12 parsecs")


def test_default_extensions_and_an_unknown_filetype() -> None:
    assert get_default_file_extensions("jsonl") == [".jsonl", ".json"]
    with pytest.raises(ConfigError, match=r"Unsupported filetype: 'csv'. Allowed: \['jsonl', 'megatron', 'parquet'\]"):
        get_default_file_extensions("csv")


@pytest.mark.parametrize("protocol", ["file", "memory"])
def test_json_files_round_trip_sorted_and_whole(tmp_path: Path, protocol: str) -> None:
    fs = fsspec.filesystem(protocol)
    path = f"{tmp_path if protocol == 'file' else '/fu_json'}/deep/state.json"
    write_json_file(path, {"b": [1, 2], "a": "é"}, fs)
    assert fs.cat(path).decode() == '{"a": "\\u00e9", "b": [1, 2]}\n'
    assert read_json_file(path, fs) == {"a": "é", "b": [1, 2]}
    assert [p for p in fs.ls(path.rsplit("/", 1)[0], detail=False) if ".tmp-" in p] == []


def test_create_or_overwrite_dir_makes_a_folder_and_removes_only_what_curator_dask_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out"
    create_or_overwrite_dir(str(out))
    assert out.is_dir()
    OutputFolder(str(out)).record("ours.jsonl")
    (out / "ours.jsonl").write_text("{}\n")
    create_or_overwrite_dir(str(out))
    assert os.listdir(out) == []


def test_create_or_overwrite_dir_refuses_a_folder_with_user_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match=r"holds 1 item\(s\) curator_dask did not write: 'notes.txt'"):
        create_or_overwrite_dir(str(tmp_path))
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_create_or_overwrite_dir_takes_fs_or_storage_options_not_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fs and storage_options cannot be provided together"):
        create_or_overwrite_dir(str(tmp_path), fs=fsspec.filesystem("file"), storage_options={})
    create_or_overwrite_dir(str(tmp_path / "viafs"), fs=fsspec.filesystem("file"))
    assert json.dumps(sorted(os.listdir(tmp_path))) == '["viafs"]'
