"""``JsonlReader``: decomposition, formats, fields, and every kind of bad input, raised or skipped."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import zstandard

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import BadInputError, InputError
from curator_dask.metrics import StagePerfStats
from curator_dask.pipeline import Pipeline
from curator_dask.stages.file_partitioning import FilePartitioningStage
from curator_dask.stages.text.io.reader import JsonlReader, JsonlReaderStage
from curator_dask.tasks import EmptyTask

ROWS = [{"id": 1, "text": "héllo", "score": 0.5}, {"id": 2, "text": "world", "score": 1.5}]
# Text that compresses poorly, so that half a compressed file holds whole blocks of lines.
MANY = [{"id": i, "text": hashlib.sha256(str(i).encode()).hexdigest() * 2} for i in range(3000)]
COMPRESS = {".gz": gzip.compress, ".zst": lambda b: zstandard.ZstdCompressor().compress(b)}
Writer = Callable[[str, bytes], str]


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def test_decomposes_into_partitioning_and_reader() -> None:
    reader = JsonlReader("data", files_per_partition=2, fields=["text"], read_kwargs={"compression": "gzip"})
    partitioning, stage = reader.decompose()
    assert isinstance(partitioning, FilePartitioningStage) and isinstance(stage, JsonlReaderStage)
    assert [partitioning.name, stage.name] == ["file_partitioning", "jsonl_reader"]
    assert partitioning.file_extensions == [".jsonl", ".json"] and partitioning.files_per_partition == 2
    assert stage.fields == ["text"] and stage.read_kwargs == {"compression": "gzip"}
    assert reader.name == "jsonl_reader" and "Read JSONL files" in reader.get_description()


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_reads_plain_and_compressed(write_bytes: Writer, run_composite: Callable, suffix: str) -> None:
    path = write_bytes(f"in/a.jsonl{suffix}", jsonl(ROWS))
    (batch,) = run_composite(JsonlReader(path))
    pd.testing.assert_frame_equal(batch.to_pandas(), pd.DataFrame(ROWS), check_dtype=False)
    assert list(batch.data.dtypes.astype(str))[::2] == ["int64", "float64"]
    assert batch._metadata["source_files"] == [path] and batch.dataset_name == "in"


def test_group_concatenates_files_and_starts_a_fresh_perf_list(write_bytes: Writer, group: Callable) -> None:
    a, b = write_bytes("a.jsonl", jsonl(ROWS)), write_bytes("b.jsonl.gz", jsonl(ROWS[:1]))
    task = group(a, b)
    task._stage_perf.append(StagePerfStats(stage_name="file_partitioning"))
    batch = JsonlReaderStage().process(task)
    assert batch.to_pandas()["id"].tolist() == [1, 2, 1]
    assert batch._stage_perf == [] and batch._metadata == {"source_files": [a, b]}
    assert batch._metadata is not task._metadata


def test_fields_select_columns_and_none_present_is_bad_input(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("a.jsonl", jsonl(ROWS))
    assert JsonlReaderStage(fields=["text", "id"]).process(group(path)).get_columns() == ["text", "id"]
    assert JsonlReaderStage(fields=["text", "gone"]).process(group(path)).get_columns() == ["text"]
    with pytest.raises(InputError, match=r"a\.jsonl: none of the requested fields \['gone'\]"):
        JsonlReaderStage(fields=["gone"]).process(group(path))


def test_malformed_line_names_file_line_and_shows_it(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("bad.jsonl.gz", jsonl(ROWS) + b'{"id": 3, "text": "cut\n' + jsonl(ROWS))
    with pytest.raises(InputError) as info:
        JsonlReaderStage().process(group(path))
    message = str(info.value)
    assert f"{path}, line 3: malformed JSON" in message
    assert """the line starts '{"id": 3, "text": "cut""" in message and 'on_error="skip"' in message


def test_skip_keeps_good_rows_and_counts_bad_ones(write_bytes: Writer, group: Callable) -> None:
    content = jsonl(ROWS[:1]) + b"not json\n\n[1, 2]\n" + jsonl(ROWS[1:])
    path = write_bytes("bad.jsonl", content)
    stage = JsonlReaderStage(on_error="skip")
    batch = stage.process(group(path))
    assert batch.to_pandas()["id"].tolist() == [1, 2]
    skipped = batch._metadata["skipped"]
    assert [(s["file"], s["line"]) for s in skipped] == [(path, 2), (path, 4)]
    assert skipped[0]["reason"].startswith("malformed JSON") and skipped[1]["reason"] == "a JSON list, not an object"
    assert stage._consume_custom_metrics() == {"skipped_records": 2.0, "skipped_files": 0.0}


def test_clean_files_under_skip_record_nothing(write_bytes: Writer, group: Callable) -> None:
    stage = JsonlReaderStage(on_error="skip")
    batch = stage.process(group(write_bytes("a.jsonl", jsonl(ROWS))))
    assert batch._metadata["skipped"] == [] and batch.num_items == 2
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 0.0}


def test_invalid_utf8_names_line_and_byte_offset(write_bytes: Writer, group: Callable) -> None:
    first = jsonl(ROWS[:1])
    path = write_bytes("u.jsonl", first + b'{"id": 3, "text": "ab\xff"}\n')
    with pytest.raises(InputError, match=rf"u\.jsonl, line 2: invalid UTF-8 at byte offset {len(first) + 21}"):
        JsonlReaderStage().process(group(path))
    stage = JsonlReaderStage(on_error="skip")
    assert stage.process(group(path)).num_items == 1
    assert stage._consume_custom_metrics()["skipped_records"] == 1


def test_empty_file_among_others_is_read_and_all_empty_raises(write_bytes: Writer, group: Callable) -> None:
    empty, good = write_bytes("empty.jsonl", b""), write_bytes("good.jsonl", jsonl(ROWS))
    assert JsonlReaderStage().process(group(good, empty)).num_items == 2  # nothing to lose, as in NeMo Curator
    message = (
        rf"^No data read from files in task 0_abc: \['{re.escape(empty)}'\] hold no records\. Fix: remove "
        r"the empty files, or pass allow_empty=True to the reader stage to hand an empty batch on\.$"
    )
    with pytest.raises(InputError, match=message):
        JsonlReaderStage().process(group(empty))
    batch = JsonlReaderStage(allow_empty=True).process(group(empty))
    assert batch.num_items == 0 and isinstance(batch.data, pd.DataFrame)


def test_all_files_skipped_give_an_empty_batch_not_an_error(write_bytes: Writer, group: Callable) -> None:
    bad = write_bytes("bad.jsonl", b"not json\n")
    stage = JsonlReaderStage(on_error="skip")
    batch = stage.process(group(bad))  # the skip record says why the batch is empty
    assert batch.num_items == 0 and [(s["file"], s["line"]) for s in batch._metadata["skipped"]] == [(bad, 1)]


def test_valid_lines_with_changing_types_fall_back_without_error(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("mixed.jsonl", b'{"a": 1}\n{"a": "x"}\n')
    assert JsonlReaderStage().process(group(path)).to_pandas()["a"].tolist() == [1, "x"]


def test_record_larger_than_a_block_is_read(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("big.jsonl", jsonl([{"text": "x" * 5000}, {"text": "y"}]))
    stage = JsonlReaderStage(read_kwargs={"pyarrow_block_size": 1024, "pyarrow_max_block_size": 16384})
    assert stage.process(group(path)).num_items == 2


def test_read_kwargs_are_checked_and_pandas_engine_takes_pandas_options(write_bytes: Writer, group: Callable) -> None:
    with pytest.raises(ValueError, match="lines=True"):
        JsonlReader("x", read_kwargs={"lines": False})
    with pytest.raises(TypeError, match=r"Unsupported read_kwargs.*\['dtype'\].*engine='pandas'"):
        JsonlReaderStage(read_kwargs={"dtype": {"id": "float64"}})
    path = write_bytes("a.jsonl", jsonl(ROWS))
    stage = JsonlReaderStage(read_kwargs={"engine": "pandas", "dtype": {"id": "float64"}})
    assert str(stage.process(group(path)).data["id"].dtype) == "float64"
    arrow = JsonlReaderStage(read_kwargs={"dtype_backend": "pyarrow"}).process(group(path)).data
    assert str(arrow["id"].dtype) == "int64[pyarrow]"


def test_memory_url_and_unsupported_options(run_composite: Callable) -> None:
    import fsspec

    fsspec.filesystem("memory").pipe("/jsonl-test/in/a.jsonl", jsonl(ROWS))
    (batch,) = run_composite(JsonlReader("memory:///jsonl-test/in"))
    assert batch.num_items == 2
    with pytest.raises(ValueError, match="Cannot generate and assign IDs at the same time"):
        JsonlReader("x", _generate_ids=True, _assign_ids=True)
    with pytest.raises(ValueError, match="on_error"):
        JsonlReaderStage(on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError):
        JsonlReader("x", task_type="image").decompose()


def test_metrics_add_up_over_a_batch_of_tasks(write_bytes: Writer, group: Callable) -> None:
    bad = write_bytes("bad.jsonl", jsonl(ROWS) + b"oops\n")
    stage = JsonlReaderStage(on_error="skip")
    stage.process_batch([group(bad), group(bad, task_id="0_def")])
    assert stage._consume_custom_metrics()["skipped_records"] == 2


def test_stages_pickle_and_composite_overrides_apply(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("a.jsonl", jsonl(ROWS))
    reader = JsonlReader(path, on_error="skip").with_({"jsonl_reader": {"batch_size": 4}})
    partitioning, stage = (pickle.loads(pickle.dumps(s)) for s in reader.decompose_and_apply_with())
    assert stage.batch_size == 4 and stage.on_error == "skip"
    (task,) = partitioning.process(EmptyTask())
    assert stage.process(task).num_items == 2


def test_dtype_backends_apply_to_the_fallback_path_too(write_bytes: Writer, group: Callable) -> None:
    path = write_bytes("mixed.jsonl", b'{"a": 1, "b": 1}\n{"a": "x", "b": 2}\n')  # read line by line
    for backend, expected in [("numpy", "int64"), ("numpy_nullable", "Int64"), ("pyarrow", "int64[pyarrow]")]:
        data = JsonlReaderStage(read_kwargs={"dtype_backend": backend}).process(group(path)).data
        assert str(data["b"].dtype) == expected
    for build in (JsonlReaderStage, lambda **kw: JsonlReader("x", **kw)):  # checked in one place, for both
        with pytest.raises(ValueError, match="dtype_backend must be 'numpy', 'numpy_nullable' or 'pyarrow', got 'cu"):
            build(read_kwargs={"dtype_backend": "cudf"})


# -- damaged compressed files, links that loop, paths --------------------------------------------
@pytest.mark.parametrize("suffix", [".gz", ".zst"])
@pytest.mark.parametrize(
    "read_kwargs",
    [{}, {"engine": "pandas"}, {"storage_options": {"auto_mkdir": False}}],
    ids=["pyarrow-direct", "pandas", "through-fsspec"],
)
def test_cut_short_file_raises_or_keeps_the_lines_before_the_cut(
    tmp_path: Path, group: Callable, suffix: str, read_kwargs: dict
) -> None:
    whole = COMPRESS[suffix](jsonl(MANY))
    path = tmp_path / f"cut.jsonl{suffix}"
    path.write_bytes(whole[: len(whole) // 2])
    message = (
        rf"^{re.escape(str(path))}: the compressed data is cut short or corrupt after line \d+ \(Truncated compressed "
        r"stream\)\. Fix: re-create or re-download the file .*on_error=\"skip\" to the reader to keep the lines before"
    )
    with pytest.raises(BadInputError, match=message):
        JsonlReaderStage(read_kwargs=read_kwargs).process(group(str(path)))
    stage = JsonlReaderStage(on_error="skip", read_kwargs=read_kwargs)
    batch = stage.process(group(str(path)))
    kept = batch.to_pandas()["id"].tolist()
    assert 0 < len(kept) < len(MANY) and kept == list(range(len(kept)))  # complete lines only, in order
    reason = f"the compressed data is cut short or corrupt after line {len(kept)} (Truncated compressed stream)"
    assert batch._metadata["skipped"] == [{"file": str(path), "line": None, "reason": reason}]
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 1.0}


@pytest.mark.parametrize(("suffix", "error"), [(".gz", "zlib inflate failed"), (".zst", "ZSTD decompress failed")])
def test_file_corrupt_from_the_start_is_one_bad_file(
    write_bytes: Writer, group: Callable, tmp_path: Path, suffix: str, error: str
) -> None:
    good = write_bytes("good.jsonl", jsonl(ROWS))
    (tmp_path / f"junk.jsonl{suffix}").write_bytes(b"not compressed at all\n" * 10)
    junk = str(tmp_path / f"junk.jsonl{suffix}")
    message = rf"junk\.jsonl{suffix}: the compressed data is cut short or corrupt before its first line \({error}"
    with pytest.raises(BadInputError, match=message + r".*Fix: re-create or re-download the file, or pass on_error"):
        JsonlReaderStage().process(group(good, junk))
    stage = JsonlReaderStage(on_error="skip")
    batch = stage.process(group(good, junk))
    assert batch.num_items == 2 and [(r["file"], r["line"]) for r in batch._metadata["skipped"]] == [(junk, None)]
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 1.0}


def test_file_link_that_loops_is_named_or_skipped(write_bytes: Writer, tmp_path: Path, run_composite: Callable) -> None:
    write_bytes("in/good.jsonl", jsonl(ROWS))
    (tmp_path / "in" / "self.jsonl").symlink_to("self.jsonl")
    loop = re.escape(str(tmp_path / "in" / "self.jsonl"))
    with pytest.raises(BadInputError, match=rf"^{loop}: the path is a symbolic link that loops .*Fix: point the link"):
        run_composite(JsonlReader(str(tmp_path / "in")))
    (batch,) = [b for b in run_composite(JsonlReader(str(tmp_path / "in"), on_error="skip")) if b.num_items == 0]
    assert [(r["file"], r["line"]) for r in batch._metadata["skipped"]] == [(str(tmp_path / "in" / "self.jsonl"), None)]


def test_reader_built_in_one_directory_reads_there_on_workers_started_elsewhere(
    write_bytes: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: object
) -> None:
    write_bytes("in/a.jsonl", jsonl(ROWS))
    monkeypatch.chdir(tmp_path)
    assert str(tmp_path) not in client.run(os.getcwd).values()  # type: ignore[attr-defined]
    reader = JsonlReader("in/a.jsonl")  # relative, as a user types it
    assert reader.file_paths == str(tmp_path / "in" / "a.jsonl")
    (batch,) = Pipeline("relative", stages=[reader]).run(DaskExecutor(client=client))
    assert batch.to_pandas()["id"].tolist() == [1, 2]
