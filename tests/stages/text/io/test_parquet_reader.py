"""``ParquetReader``: decomposition, dtypes, fields, schema clashes and unreadable files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curator_dask.errors import InputError
from curator_dask.stages.text.io.reader import ParquetReader, ParquetReaderStage


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
    with pytest.raises(InputError, match=r"none of the requested fields \['gone'\]"):
        ParquetReaderStage(fields=["gone"]).process(group(path))
    with pytest.raises(ValueError, match="fields="):
        ParquetReaderStage(read_kwargs={"columns": ["text"]})


def test_schema_clash_names_both_files_and_columns(write_table: Callable, group: Callable) -> None:
    a = write_table("a.parquet", table())
    b = write_table("b.parquet", table(2, pa.string()).append_column("extra", pa.array([1, 2])))
    with pytest.raises(InputError) as info:
        ParquetReaderStage().process(group(a, b))
    message = str(info.value)
    assert message.startswith(f"{b}: its schema differs from {a}")
    assert f"columns only in {b}: ['extra']" in message and f"id: int64 in {a} vs string" in message
    assert "fields=[...]" in message
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


def test_zero_row_file_is_empty_input(write_table: Callable, group: Callable) -> None:
    path = write_table("none.parquet", table(0))
    with pytest.raises(InputError, match="holds no records"):
        ParquetReaderStage().process(group(path))
    batch = ParquetReaderStage(allow_empty=True).process(group(path))
    assert batch.num_items == 0 and batch.get_columns() == ["id", "text"]


def test_reads_through_fsspec_url(tmp_path: Path, write_table: Callable, run_composite: Callable) -> None:
    write_table("a.parquet", table())
    (batch,) = run_composite(ParquetReader(f"file://{tmp_path}"))
    pd.testing.assert_series_equal(batch.to_pandas()["id"], pd.Series([0, 1], name="id", dtype="int64[pyarrow]"))
