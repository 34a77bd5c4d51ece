"""``ParquetReader``: decomposition, dtypes, fields, schema clashes and unreadable files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curator_dask.errors import BadInputError, ConfigTypeError, InputError, MissingFieldsError
from curator_dask.stages.text.io.reader import ParquetReader, ParquetReaderStage
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter


@pytest.fixture
def write_table(tmp_path: Path) -> Callable[[str, pa.Table], str]:
    def write(name: str, table: pa.Table) -> str:
        path = tmp_path / name
        pq.write_table(table, path)
        return str(path)

    return write


def table(n: int = 2, id_type: pa.DataType | None = None) -> pa.Table:
    ids = pa.array(range(n)).cast(id_type or pa.int64())
    return pa.table({"id": ids, "text": [f"doc {i}" for i in range(n)]})


def test_decomposes_into_partitioning_and_reader(tmp_path: Path, run_composite: Callable) -> None:
    reader = ParquetReader(str(tmp_path), blocksize="1MiB", fields=["text"])
    partitioning, stage = reader.decompose()
    assert [partitioning.name, stage.name] == ["file_partitioning", "parquet_reader"]
    assert isinstance(stage, ParquetReaderStage) and partitioning.file_extensions == [".parquet"]
    assert "Read Parquet files" in reader.get_description() and "blocksize 1MiB" in reader.get_description()


def test_reads_a_group_with_pyarrow_dtypes_by_default(write_table: Callable, group: Callable) -> None:
    a, b = write_table("a.parquet", table(2)), write_table("b.parquet", table(3))
    batch = ParquetReaderStage().process(group(a, b))
    frame = batch.to_pandas()
    assert frame["id"].tolist() == [0, 1, 0, 1, 2] and list(frame.index) == list(range(5))
    assert str(frame["id"].dtype) == "int64[pyarrow]" and batch._stage_perf == []
    numpy = ParquetReaderStage(read_kwargs={"dtype_backend": "numpy"}).process(group(a)).data
    assert str(numpy["id"].dtype) == "int64"


def test_fields_select_columns(write_table: Callable, group: Callable) -> None:
    path = write_table("a.parquet", table())
    assert ParquetReaderStage(fields=["text"]).process(group(path)).get_columns() == ["text"]
    with pytest.raises(ValueError, match="fields="):
        ParquetReaderStage(read_kwargs={"columns": ["text"]})


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (["text", "gone"], r"the requested fields \['gone'\] are not in the file \(it has \['id', 'text'\]\)"),
        (["gone"], r"none of the requested fields \['gone'\] is in the file \(it has \['id', 'text'\]\)"),
    ],
)
def test_missing_fields_are_bad_input_that_pyarrow_code_catches(
    write_table: Callable, group: Callable, fields: list[str], reason: str
) -> None:
    path, other = write_table("a.parquet", table()), write_table("b.parquet", table().select(["text"]))
    message = rf"^{path}: {reason}\. Fix: correct the reader's fields=\[\.\.\.\] \(a Parquet file must hold every one"
    with pytest.raises(MissingFieldsError, match=message) as info:
        ParquetReaderStage(fields=fields).process(group(path))
    assert isinstance(info.value, pa.ArrowInvalid) and isinstance(info.value, InputError)  # NeMo's and ours
    stage = ParquetReaderStage(fields=["text", "id"], on_error="skip")
    batch = stage.process(group(path, other))
    assert batch.num_items == 2 and [r["file"] for r in batch._metadata["skipped"]] == [other]


def test_filters_and_other_read_table_options_reach_pyarrow(write_table: Callable, group: Callable) -> None:
    a, b = write_table("a.parquet", table(3)), write_table("b.parquet", table(2))
    stage = ParquetReaderStage(fields=["text"], read_kwargs={"filters": [("id", ">", 0)], "use_threads": False})
    assert stage.process(group(a, b)).to_pandas()["text"].tolist() == ["doc 1", "doc 2", "doc 1"]
    with pytest.raises(InputError, match=r"^No data read from files in task 0_abc"):  # NeMo's rule, filtered
        ParquetReaderStage(read_kwargs={"filters": [("id", ">", 9)]}).process(group(a, b))
    message = (
        r"^ParquetReader got unknown read_kwargs \['filter'\]; it takes \['dtype_backend', 'engine', "
        r"'storage_options'\] and pyarrow\.parquet\.read_table's options \[.*'filters'.*\]\. Fix the name\(s\)\.$"
    )
    with pytest.raises(ConfigTypeError, match=message):
        ParquetReaderStage(read_kwargs={"filter": [("id", ">", 0)]})


def test_schema_clash_names_both_files_and_columns(write_table: Callable, group: Callable) -> None:
    a = write_table("a.parquet", table())
    b = write_table("b.parquet", table(2, pa.string()).append_column("extra", pa.array([1, 2])))
    with pytest.raises(InputError) as info:
        ParquetReaderStage().process(group(a, b))
    message = str(info.value)
    assert message.startswith(f"{b}: its schema differs from {a}")
    assert f"columns only in {b}: ['extra']" in message and f"column 'id' is string here but int64 in {a}" in message
    assert "Fix: cast or rewrite the files to one schema, or read only fields that agree with fields=[...]" in message
    # Reading only the shared, compatible column is fine.
    assert ParquetReaderStage(fields=["text"]).process(group(a, b)).num_items == 4


def test_schema_clash_under_skip_keeps_first_file_and_records_other(write_table: Callable, group: Callable) -> None:
    a, b = write_table("a.parquet", table()), write_table("b.parquet", table(2, pa.string()))
    stage = ParquetReaderStage(on_error="skip")
    batch = stage.process(group(a, b))
    assert batch.num_items == 2
    assert [(s["file"], s["line"]) for s in batch._metadata["skipped"]] == [(b, None)]
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 1.0}


def test_widening_types_are_not_a_clash(write_table: Callable, group: Callable) -> None:
    a, b = write_table("a.parquet", table(2, pa.int32())), write_table("b.parquet", table(2))
    assert str(ParquetReaderStage().process(group(a, b)).data["id"].dtype) == "int64[pyarrow]"


def test_empty_and_corrupt_files(tmp_path: Path, write_table: Callable, group: Callable) -> None:
    good = write_table("good.parquet", table())
    (tmp_path / "empty.parquet").write_bytes(b"")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    empty, junk = str(tmp_path / "empty.parquet"), str(tmp_path / "junk.parquet")
    with pytest.raises(InputError, match=r"empty\.parquet: the file is empty \(0 bytes\).*Fix: rewrite or remove"):
        ParquetReaderStage().process(group(good, empty))
    with pytest.raises(InputError, match=r"junk\.parquet: not a readable Parquet file"):
        ParquetReaderStage().process(group(junk))
    stage = ParquetReaderStage(on_error="skip")
    batch = stage.process(group(empty, good, junk))
    assert batch.num_items == 2 and [s["file"] for s in batch._metadata["skipped"]] == [empty, junk]


def test_zero_row_files_raise_only_when_the_whole_task_is_empty(write_table: Callable, group: Callable) -> None:
    none, some = write_table("none.parquet", table(0)), write_table("some.parquet", table(2))
    assert ParquetReaderStage().process(group(none, some)).num_items == 2
    with pytest.raises(InputError, match=r"^No data read from files in task 0_abc: .*none\.parquet'\] hold no"):
        ParquetReaderStage().process(group(none))
    batch = ParquetReaderStage(allow_empty=True).process(group(none))
    assert batch.num_items == 0 and batch.get_columns() == ["id", "text"]


def test_reads_through_fsspec_url(tmp_path: Path, write_table: Callable, run_composite: Callable) -> None:
    write_table("a.parquet", table())
    (batch,) = run_composite(ParquetReader(f"file://{tmp_path}"))
    pd.testing.assert_series_equal(batch.to_pandas()["id"], pd.Series([0, 1], name="id", dtype="int64[pyarrow]"))


@pytest.mark.parametrize("backend", ["pyarrow", "numpy"])
def test_dictionary_columns_are_decoded_and_written_readably(tmp_path: Path, group: Callable, backend: str) -> None:
    a, b, c = (str(tmp_path / f"{n}.parquet") for n in "abc")
    pd.DataFrame({"text": pd.Categorical(["x", "y", "x"]), "n": [1, 2, 3]}).to_parquet(a)
    pd.DataFrame({"text": pd.Categorical(["z"]), "n": [4]}).to_parquet(b)
    pq.write_table(pa.table({"text": ["plain"], "n": [5]}), c)  # plain strings: no clash with a dictionary
    batch = ParquetReaderStage(read_kwargs={"dtype_backend": backend}).process(group(a, b, c))
    assert batch.to_pandas()["text"].tolist() == ["x", "y", "x", "z", "plain"]
    assert str(batch.data["text"].dtype) in ("string[pyarrow]", "str")  # never category / dictionary
    batch.task_id = "0_abc_0"
    written = ParquetWriter(str(tmp_path / "pq")).process(batch).data[0]
    assert pd.read_parquet(written)["text"].tolist() == ["x", "y", "x", "z", "plain"]  # pandas reads it back
    written = JsonlWriter(str(tmp_path / "jl")).process(batch).data[0]
    assert pd.read_json(written, lines=True)["text"].tolist() == ["x", "y", "x", "z", "plain"]


def test_binary_text_columns_are_decoded_and_bad_utf8_is_named(tmp_path: Path, group: Callable) -> None:
    good, large, bad = (str(tmp_path / f"{n}.parquet") for n in ("good", "large", "bad"))
    pq.write_table(pa.table({"text": pa.array([b"h\xc3\xa9llo", None], pa.binary()), "n": [1, 2]}), good)
    pq.write_table(pa.table({"text": pa.array([b"big"], pa.large_binary()), "n": [3]}), large)
    pq.write_table(pa.table({"text": pa.array([b"ok", b"ok", b"\xff\xfe"], pa.binary()), "n": [4, 5, 6]}), bad)
    frame = ParquetReaderStage().process(group(good, large)).to_pandas()
    assert frame["text"].isna().tolist() == [False, True, False] and str(frame["text"].dtype) == "large_string[pyarrow]"
    assert frame["text"].str.upper().tolist()[::2] == ["HÉLLO", "BIG"]  # string stages work on it
    message = (
        rf"^{bad}: column 'text' is binary holding bytes that are not UTF-8 text \(first at row 3, counting from 1\)"
        r"\. Fix: re-encode the column as UTF-8, or leave it out by naming the others in fields=\[\.\.\.\]"
    )
    with pytest.raises(BadInputError, match=message):
        ParquetReaderStage().process(group(good, bad))
    stage = ParquetReaderStage(on_error="skip")
    batch = stage.process(group(good, bad))
    assert batch.num_items == 2 and [(r["file"], r["line"]) for r in batch._metadata["skipped"]] == [(bad, None)]
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 1.0}
    assert ParquetReaderStage(fields=["n"]).process(group(bad)).num_items == 3  # the column left out


def test_corrupt_data_and_looping_links_are_bad_files(tmp_path: Path, write_table: Callable, group: Callable) -> None:
    good = write_table("good.parquet", table(500))
    damaged = bytearray(Path(good).read_bytes())
    damaged[100 : len(damaged) // 2] = b"\xff" * (len(damaged) // 2 - 100)  # the data, not the footer
    (tmp_path / "damaged.parquet").write_bytes(bytes(damaged))
    (tmp_path / "loop.parquet").symlink_to("loop.parquet")
    damaged_path, loop = str(tmp_path / "damaged.parquet"), str(tmp_path / "loop.parquet")
    with pytest.raises(BadInputError, match=rf"^{damaged_path}: its data cannot be read \(.*\)\. Fix: rewrite or"):
        ParquetReaderStage().process(group(damaged_path))
    with pytest.raises(BadInputError, match=rf"^{loop}: the path is a symbolic link that loops"):
        ParquetReaderStage().process(group(good, loop))
    stage = ParquetReaderStage(on_error="skip")
    batch = stage.process(group(loop, good, damaged_path))
    assert batch.num_items == 500 and [r["file"] for r in batch._metadata["skipped"]] == [loop, damaged_path]
