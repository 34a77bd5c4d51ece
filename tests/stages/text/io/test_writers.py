"""``JsonlWriter`` and ``ParquetWriter``: names, atomic writes, empty batches, round trips, modes at run start."""

from __future__ import annotations

import copy
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow as pa
import pytest
from fsspec.implementations.local import LocalFileSystem

from curator_dask.errors import ConfigError, InputError, OutputError, OutputExistsError
from curator_dask.metrics import StagePerfStats
from curator_dask.stages.text.io.reader import JsonlReader, ParquetReader
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter, check_output_paths, prepare_outputs
from curator_dask.tasks import DocumentBatch, FileGroupTask
from curator_dask.utils.hash_utils import get_deterministic_hash as deterministic_hash

WRITERS = [pytest.param(JsonlWriter, "jsonl", id="jsonl"), pytest.param(ParquetWriter, "parquet", id="parquet")]
FRAME = pd.DataFrame({"id": [1, 2, 3], "text": ["a", "bé", None], "score": [0.5, None, 2.0], "ok": [True, False, True]})


def batch(data: object = FRAME, task_id: str = "0_abc_0", sources: list[str] | None = None) -> DocumentBatch:
    task = DocumentBatch(dataset_name="ds", data=data, _metadata={"source_files": sources or ["/in/a.jsonl"]})
    task.task_id = task_id
    return task


def listing(directory: Path) -> list[str]:
    """The folder's data and temporary files: everything but the ``.curator_dask/`` bookkeeping."""
    return sorted(p.name for p in directory.iterdir() if p.name != ".curator_dask")


@pytest.mark.parametrize(("writer_class", "ext"), WRITERS)
def test_name_path_and_returned_task(tmp_path: Path, writer_class: type, ext: str) -> None:
    writer = writer_class(str(tmp_path / "out"))
    assert writer.name == f"{ext}_writer"
    incoming = batch()
    incoming._stage_perf.append(StagePerfStats(stage_name="jsonl_reader"))
    out = writer.process(incoming)
    expected = tmp_path / "out" / f"{deterministic_hash(['/in/a.jsonl'], '0_abc_0')}.{ext}"
    assert isinstance(out, FileGroupTask) and out.data == [str(expected)] and expected.exists()
    assert out._stage_perf == incoming._stage_perf and out.dataset_name == "ds"
    assert out._metadata == {"source_files": ["/in/a.jsonl"], "format": ext}
    assert listing(tmp_path / "out") == [expected.name]


@pytest.mark.parametrize(("writer_class", "ext"), WRITERS)
def test_names_are_deterministic_and_distinct_per_task(tmp_path: Path, writer_class: type, ext: str) -> None:
    writer = writer_class(str(tmp_path))
    first = writer.process(batch(task_id="0_abc_0")).data
    assert writer.process(batch(task_id="0_abc_0")).data == first  # a rerun replaces, never duplicates
    second = writer.process(batch(task_id="0_abc_1")).data
    assert first != second and len(listing(tmp_path)) == 2
    unsourced = DocumentBatch(dataset_name="ds", data=FRAME)
    unsourced.task_id = "0_7"
    assert Path(writer.process(unsourced).data[0]).name == f"{deterministic_hash(['ds'], '0_7')}.{ext}"


def test_modes_act_once_in_prepare_outputs_not_in_copies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer = JsonlWriter(str(out), mode="overwrite")
    prepare_outputs([writer])
    stale = Path(writer.process(batch(task_id="0_abc_8")).data[0]).name
    JsonlWriter(str(out), mode="ignore")  # building a writer applies no mode
    prepare_outputs([JsonlWriter(str(out), mode="overwrite")])  # a new run: our old file goes
    assert listing(out) == []
    written = Path(writer.process(batch()).data[0]).name
    # Copies for workers (with_, pickle, deepcopy) never clear the folder.
    for clone in (writer.with_(name="w2"), pickle.loads(pickle.dumps(writer)), copy.deepcopy(writer)):
        clone.process(batch(task_id="0_abc_9"))
    assert written in listing(out) and stale not in listing(out) and len(listing(out)) == 2


def test_error_mode_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    prepare_outputs([JsonlWriter(str(tmp_path / "new"), mode="error")])  # missing: created
    prepare_outputs([JsonlWriter(str(tmp_path / "new"), mode="error")])  # exists but empty: fine
    (tmp_path / "new" / "x.jsonl").write_text("{}\n")
    with pytest.raises(OutputExistsError, match=r"already exists and is not empty.*mode='overwrite'") as info:
        prepare_outputs([JsonlWriter(str(tmp_path / "new"), mode="error")])
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, OutputError)
    assert listing(tmp_path / "new") == ["x.jsonl"]


def test_bad_modes_and_paths(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Invalid mode: 'replace' for writer 'jsonl_writer'\. Allowed: 'ignore', "):
        JsonlWriter(str(tmp_path), mode="replace")  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="append"):
        JsonlWriter(str(tmp_path), mode="append")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"Output path '.*/file' of writer 'parquet_writer' is a file"):
        check_output_paths([ParquetWriter(str(tmp_path / "file"))])
    with pytest.raises(ValueError, match="partition_cols"):
        ParquetWriter(str(tmp_path), write_kwargs={"partition_cols": ["id"]})


@pytest.mark.parametrize(("writer_class", "ext"), WRITERS)
def test_failed_rename_leaves_no_file_and_retry_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer_class: type, ext: str
) -> None:
    writer = writer_class(str(tmp_path))

    def crash(self: LocalFileSystem, *args: object, **kwargs: object) -> None:
        raise OSError("worker died between write and rename")

    with monkeypatch.context() as patch:
        patch.setattr(LocalFileSystem, "mv", crash)
        with pytest.raises(OSError, match="between write and rename"):
            writer.process(batch())
    assert listing(tmp_path) == []  # no final file, no temporary litter
    out = writer.process(batch())
    assert listing(tmp_path) == [Path(out.data[0]).name]


def test_a_crash_that_cannot_clean_up_leaves_a_temporary_name_ignore_mode_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: LocalFileSystem, *args: object, **kwargs: object) -> None:
        raise OSError("worker died")

    with monkeypatch.context() as patch:
        patch.setattr(LocalFileSystem, "mv", crash)
        patch.setattr(LocalFileSystem, "rm", crash)
        with pytest.raises(OSError, match="worker died"):
            JsonlWriter(str(tmp_path)).process(batch())
    (left,) = listing(tmp_path)
    assert re.fullmatch(rf"\.{deterministic_hash(['/in/a.jsonl'], '0_abc_0')}\.jsonl\.tmp-[0-9a-f]{{32}}", left)
    prepare_outputs([JsonlWriter(str(tmp_path), mode="ignore")])
    assert listing(tmp_path) == []


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_written(self: pd.DataFrame, handle: object, **kwargs: object) -> None:
        handle.write(b'{"id": 1')  # type: ignore[attr-defined]
        raise MemoryError

    monkeypatch.setattr(pd.DataFrame, "to_json", half_written)
    with pytest.raises(MemoryError):
        JsonlWriter(str(tmp_path)).process(batch())
    assert listing(tmp_path) == []


@pytest.mark.parametrize(("writer_class", "ext"), WRITERS)
def test_empty_batch_writes_one_file(tmp_path: Path, writer_class: type, ext: str) -> None:
    out = writer_class(str(tmp_path), fields=["id", "text"]).process(batch(pd.DataFrame()))
    assert len(listing(tmp_path)) == 1 and Path(out.data[0]).exists()


@pytest.mark.parametrize(("writer_class", "ext"), WRITERS)
def test_fields_select_and_missing_fields_are_named(tmp_path: Path, writer_class: type, ext: str) -> None:
    out = writer_class(str(tmp_path), fields=["text", "id"]).process(batch(pa.Table.from_pandas(FRAME)))
    read = pd.read_json(out.data[0], lines=True) if ext == "jsonl" else pd.read_parquet(out.data[0])
    assert list(read.columns) == ["text", "id"]
    with pytest.raises(InputError, match=r"fields \['gone'\] are not columns.*/in/a\.jsonl"):
        writer_class(str(tmp_path), fields=["gone"]).process(batch())


def test_memory_url_output_keeps_protocol() -> None:
    writer = ParquetWriter("memory:///writer-test/out", mode="overwrite")
    prepare_outputs([writer])
    out = writer.process(batch())
    assert out.data[0].startswith("memory:///writer-test/out/") and out.data[0].endswith(".parquet")
    listed = fsspec.filesystem("memory").ls("/writer-test/out", detail=False)
    assert sorted(listed) == ["/writer-test/out/.curator_dask", out.data[0][len("memory://") :]]


@pytest.mark.parametrize(
    ("reader_class", "writer_class", "ext"),
    [(JsonlReader, JsonlWriter, "jsonl"), (ParquetReader, ParquetWriter, "parquet")],
)
def test_round_trip_preserves_rows_and_dtypes(
    tmp_path: Path, run_composite: Callable, reader_class: type, writer_class: type, ext: str
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    seed = batch(task_id="0_a")
    seed._metadata["source_files"] = ["seed"]
    writer_class(str(source)).process(seed)
    (first,) = run_composite(reader_class(str(source)))
    writer_class(str(tmp_path / "copy")).process(first)
    (second,) = run_composite(reader_class(str(tmp_path / "copy")))
    pd.testing.assert_frame_equal(first.to_pandas(), second.to_pandas())
    assert first.to_pandas()["id"].tolist() == [1, 2, 3] and first.num_items == 3
