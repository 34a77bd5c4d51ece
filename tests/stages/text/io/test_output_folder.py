"""The manifest and ``prepare_outputs``: what each mode removes, on local files and on ``memory://``."""

from __future__ import annotations

import posixpath
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fsspec.core import url_to_fs

from curator_dask.errors import OutputError, OutputExistsError
from curator_dask.metrics.report import write_report
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.stages.base import CompositeStage
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter, OutputFolder, ParquetWriter, prepare_outputs
from curator_dask.tasks import DocumentBatch
from tests.stages.text.io.test_writers import batch

FOREIGN = ["notes.txt", ".notes.tmp-keep", "user/deep/a.jsonl"]


@pytest.fixture(params=["local", "memory"])
def out(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An output folder path, on local disk or in fsspec's in-memory file system."""
    if request.param == "local":
        yield str(tmp_path / "out")
        return
    url = f"memory:///{uuid.uuid4().hex}/out"
    yield url
    fs, path = url_to_fs(url)
    if fs.exists(posixpath.dirname(path)):  # the in-memory file system lives as long as the process
        fs.rm(posixpath.dirname(path), recursive=True)


def put(root: str, relative: str, data: bytes = b"x") -> None:
    fs, path = url_to_fs(root)
    fs.makedirs(posixpath.dirname(f"{path}/{relative}"), exist_ok=True)
    fs.pipe_file(f"{path}/{relative}", data)


def tree(root: str) -> dict[str, bytes]:
    """Every file under ``root`` (hidden and bookkeeping ones too), relative path -> content."""
    fs, path = url_to_fs(root)
    if not fs.exists(path):
        return {}
    return {p[len(path) + 1 :]: fs.cat_file(p) for p in sorted(fs.find(path, withdirs=False))}


def entries(root: str) -> list[str]:
    """What ``root`` holds at its top level."""
    fs, path = url_to_fs(root)
    return sorted(posixpath.basename(p.rstrip("/")) for p in fs.ls(path, detail=False))


def temp_of(name: str) -> str:
    """The temporary name ``BaseWriter.process`` writes the top-level file ``name`` under."""
    return f".{name}.tmp-{uuid.uuid4().hex}"


def our_files(out: str, count: int = 2) -> list[str]:
    writer = JsonlWriter(out)
    return [posixpath.basename(writer.process(batch(task_id=f"0_abc_{i}")).data[0]) for i in range(count)]


def test_each_write_is_recorded_before_it_lands(out: str) -> None:
    names = our_files(out)
    folder = OutputFolder(out)
    assert folder.recorded() == set(names) and folder.ours() == sorted(names) and folder.foreign() == []
    assert entries(out) == sorted([".curator_dask", *names])


@pytest.mark.parametrize("writer_class", [JsonlWriter, ParquetWriter])
def test_overwrite_run_then_rerun_leaves_an_empty_folder(out: str, writer_class: type) -> None:
    writer = writer_class(out, mode="overwrite")
    prepare_outputs([writer])
    assert entries(out) == []
    writer.process(batch())
    put(out, ".curator_dask/done/0_abc", b"")  # a resume marker, as the executor leaves them
    prepare_outputs([writer])
    assert entries(out) == []
    prepare_outputs([writer])  # idempotent
    assert entries(out) == []


def test_overwrite_refuses_foreign_files_and_deletes_nothing(out: str) -> None:
    our_files(out)
    for name in FOREIGN:
        put(out, name)
    before = tree(out)
    with pytest.raises(
        OutputExistsError,
        match=r"holds 3 item\(s\) that curator_dask did not write: '\.notes\.tmp-keep', 'notes\.txt', 'user/'\. "
        r"mode='overwrite' removes only what a curator_dask writer wrote, so nothing was deleted\. "
        r"Fix: choose an empty or new folder, move those files away, or pass mode='ignore'",
    ):
        prepare_outputs([JsonlWriter(out, mode="overwrite")])
    assert tree(out) == before


def test_one_refused_folder_stops_every_writer_before_anything_is_removed(out: str) -> None:
    our_files(out)
    other = f"{out}-other"
    put(other, "notes.txt")
    before = tree(out)
    with pytest.raises(OutputExistsError, match=r"holds 1 item\(s\) that curator_dask did not write: 'notes\.txt'"):
        prepare_outputs([JsonlWriter(out, mode="overwrite"), ParquetWriter(other, mode="overwrite")])
    assert tree(out) == before


def test_overwrite_names_five_foreign_files_and_counts_the_rest(out: str) -> None:
    for i in range(7):
        put(out, f"user_{i}.txt")
    with pytest.raises(OutputExistsError, match=r"holds 7 item\(s\).*'user_4\.txt' and 2 more\."):
        prepare_outputs([JsonlWriter(out, mode="overwrite")])


def test_overwrite_of_a_missing_folder_creates_it(out: str) -> None:
    prepare_outputs([JsonlWriter(out, mode="overwrite")])
    assert entries(out) == []


def test_ignore_removes_only_our_own_partial_writes(out: str) -> None:
    kept = our_files(out)
    folder = OutputFolder(out)
    folder.record("never_finished.jsonl")  # a worker killed after recording, before writing
    put(out, temp_of("never_finished.jsonl"))
    put(out, temp_of(kept[0]))  # a retry of a finished file, killed mid-write
    for name in [*FOREIGN, temp_of("not_ours.jsonl")]:
        put(out, name)
    stays = {k: v for k, v in tree(out).items() if ".tmp-" not in k or "not_ours" in k or "keep" in k}
    prepare_outputs([JsonlWriter(out, mode="ignore")])
    left = tree(out)
    assert {k: v for k, v in left.items() if not k.startswith(".curator_dask")} == {
        k: v for k, v in stays.items() if not k.startswith(".curator_dask")
    }
    assert folder.recorded() == set(kept)  # the entry of the file that never arrived is gone


def test_error_mode_refuses_any_non_empty_folder_and_touches_nothing(out: str) -> None:
    prepare_outputs([JsonlWriter(out, mode="error")])  # missing: created
    prepare_outputs([JsonlWriter(out, mode="error")])  # exists but empty: fine
    our_files(out, count=1)
    before = tree(out)
    with pytest.raises(
        OutputExistsError,
        match=r"already exists and is not empty \(mode='error'\); nothing was touched\. Fix: choose a new or empty "
        r"folder, pass mode='overwrite' to replace what curator_dask wrote there, or mode='ignore'",
    ) as info:
        prepare_outputs([JsonlWriter(out, mode="error")])
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, OutputError)
    assert tree(out) == before


@pytest.mark.parametrize("mode", ["ignore", "overwrite", "error"])
def test_a_users_hidden_tmp_file_survives_every_mode(out: str, mode: str) -> None:
    our_files(out)
    put(out, ".notes.tmp-keep", b"mine")
    try:
        prepare_outputs([JsonlWriter(out, mode=mode)])  # type: ignore[arg-type]
    except OutputExistsError:
        assert mode in ("overwrite", "error")
    else:
        assert mode == "ignore"
    assert tree(out)[".notes.tmp-keep"] == b"mine"


def test_a_killed_workers_leftovers_are_ours_a_lookalike_is_not(out: str) -> None:
    folder = OutputFolder(out)
    folder.record("a1b2c3d4e5f6.jsonl")  # killed between recording and writing: entry, no file
    folder.record("0f0f0f0f0f0f.jsonl")  # killed between writing and renaming: entry and temp file
    put(out, temp_of("0f0f0f0f0f0f.jsonl"), b'{"id": 1')
    lookalike = temp_of("ffffffffffff.jsonl")  # a temp name, but of nothing we recorded
    put(out, lookalike)
    with pytest.raises(OutputExistsError, match=rf"holds 1 item\(s\) that curator_dask did not write: '{lookalike}'"):
        prepare_outputs([JsonlWriter(out, mode="overwrite")])
    url_to_fs(out)[0].rm(f"{url_to_fs(out)[1]}/{lookalike}")
    prepare_outputs([JsonlWriter(out, mode="overwrite")])
    assert entries(out) == []


def test_nested_user_folders_are_foreign_and_ours_are_walked(out: str) -> None:
    folder = OutputFolder(out)
    folder.record("_report/stage_report.csv")
    put(out, "_report/stage_report.csv")
    put(out, "_report/mine.txt")
    put(out, "data/part/x.parquet")
    assert folder.ours() == ["_report/stage_report.csv"]
    assert folder.foreign() == ["_report/mine.txt", "data/"]
    url_to_fs(out)[0].rm(f"{url_to_fs(out)[1]}/_report/mine.txt")
    url_to_fs(out)[0].rm(f"{url_to_fs(out)[1]}/data", recursive=True)
    folder.remove_ours()
    assert entries(out) == []  # the folder that held only our report went with it


@pytest.mark.parametrize("name", ["", "/abs.jsonl", "../up.jsonl", ".curator_dask/done/x"])
def test_only_names_inside_the_folder_can_be_recorded(out: str, name: str) -> None:
    expected = rf"Cannot record '{re.escape(name)}' in the manifest of .*: expected a relative path inside it"
    with pytest.raises(OutputError, match=expected):
        OutputFolder(out).record(name)


def test_a_folder_named_like_our_file_is_foreign(out: str) -> None:
    OutputFolder(out).record("abc.jsonl")
    put(out, "abc.jsonl/inside.txt")
    assert OutputFolder(out).foreign() == ["abc.jsonl/"]


def test_the_run_report_in_the_output_folder_counts_as_ours(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer = JsonlWriter(str(out), mode="overwrite")
    prepare_outputs([writer])
    writer.process(batch())
    result = RunResult([])
    result.stages = [StageSummary("jsonl_writer", batches=1, tasks_in=1, items_in=3, tasks_out=1, seconds=0.1)]
    paths = write_report(result, out / "_report")
    assert {f"_report/{p.name}" for p in paths.values()} <= OutputFolder(str(out)).recorded()
    prepare_outputs([writer])  # a second overwrite run may replace its own report
    assert entries(str(out)) == []
    outside = write_report(result, tmp_path / "elsewhere")  # outside any output folder: not recorded
    assert outside["csv"].exists() and not (tmp_path / ".curator_dask").exists()


def test_a_reader_over_the_output_folder_reads_data_not_bookkeeping(
    tmp_path: Path, run_composite: Callable[[CompositeStage], list[DocumentBatch]]
) -> None:
    names = our_files(str(tmp_path / "out"), count=2)
    batches = run_composite(JsonlReader(str(tmp_path / "out")))
    assert sorted(posixpath.basename(f) for b in batches for f in b._metadata["source_files"]) == sorted(names)
    assert sum(b.num_items for b in batches) == 6
