"""One type per column across the files of a group, for JSONL and Parquet: what unifies, what clashes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curator_dask.errors import BadInputError
from curator_dask.stages.text.io.reader import JsonlReaderStage, ParquetReaderStage

FIX = r"Fix: cast the column to one type in every file, or read only fields that agree with fields=\[\.\.\.\], or pass"


def jsonl_file(tmp_path: Path, name: str, rows: list[dict]) -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def parquet_file(tmp_path: Path, name: str, columns: dict[str, pa.Array]) -> str:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return str(path)


@pytest.mark.parametrize(
    ("read_kwargs", "string_type"), [({}, "string"), ({"engine": "pandas"}, "large_string")], ids=["arrow", "pandas"]
)
def test_jsonl_type_clash_names_both_files_column_types_and_fix(
    tmp_path: Path, group: Callable, read_kwargs: dict, string_type: str
) -> None:
    a = jsonl_file(tmp_path, "a.jsonl", [{"id": 1, "text": "a"}])
    b = jsonl_file(tmp_path, "b.jsonl", [{"id": "x-2", "text": "b"}])
    clash = rf"^{re.escape(b)}: column 'id' is {string_type} here but int64 in {re.escape(a)} \(the two do not unify"
    with pytest.raises(BadInputError, match=rf"{clash} into one type\)\. {FIX}"):
        JsonlReaderStage(read_kwargs=read_kwargs).process(group(a, b))
    stage = JsonlReaderStage(on_error="skip", read_kwargs=read_kwargs)
    batch = stage.process(group(a, b))
    assert batch.to_pandas()["id"].tolist() == [1] and [r["file"] for r in batch._metadata["skipped"]] == [b]
    assert stage._consume_custom_metrics() == {"skipped_records": 0.0, "skipped_files": 1.0}
    assert JsonlReaderStage(fields=["text"], read_kwargs=read_kwargs).process(group(a, b)).num_items == 2


def test_jsonl_types_that_widen_exactly_unify(tmp_path: Path, group: Callable) -> None:
    ints = jsonl_file(tmp_path, "ints.jsonl", [{"id": 1, "score": 2, "tag": None}])
    floats = jsonl_file(tmp_path, "floats.jsonl", [{"id": 2, "score": 2.5, "tag": "t"}])
    frame = JsonlReaderStage().process(group(ints, floats)).to_pandas()
    assert frame["score"].tolist() == [2.0, 2.5] and str(frame["score"].dtype) == "float64"
    assert frame["tag"].tolist()[1] == "t" and frame["id"].tolist() == [1, 2]


def test_integer_too_large_for_float_does_not_unify(tmp_path: Path, group: Callable) -> None:
    big = jsonl_file(tmp_path, "big.jsonl", [{"id": 2**53 + 1}])
    floats = jsonl_file(tmp_path, "floats.jsonl", [{"id": 0.5}])
    clash = rf"{re.escape(floats)}: column 'id' is double here but int64 in {re.escape(big)} \(they unify to double, "
    with pytest.raises(BadInputError, match=rf"^{clash}but not every value converts to it exactly\)\. {FIX}"):
        JsonlReaderStage().process(group(big, floats))
    # Parquet: the footers agree that int64 and double unify; the values say otherwise.
    a = parquet_file(tmp_path, "a.parquet", {"id": pa.array([2**53 + 1])})
    b = parquet_file(tmp_path, "b.parquet", {"id": pa.array([0.5])})
    clash = rf"^{re.escape(b)}: column 'id' is double here but int64 in {re.escape(a)} \(they unify to double, but"
    with pytest.raises(BadInputError, match=clash):
        ParquetReaderStage().process(group(a, b))
    small = parquet_file(tmp_path, "c.parquet", {"id": pa.array([3])})
    assert ParquetReaderStage().process(group(b, small)).to_pandas()["id"].tolist() == [0.5, 3.0]


def test_clash_is_checked_against_every_type_seen_before(tmp_path: Path, group: Callable) -> None:
    nulls = jsonl_file(tmp_path, "1.jsonl", [{"v": None}])
    text = jsonl_file(tmp_path, "2.jsonl", [{"v": "s"}])  # null unifies with string
    number = jsonl_file(tmp_path, "3.jsonl", [{"v": 3}])  # null would take it too; string does not
    with pytest.raises(BadInputError, match=rf"^{re.escape(number)}: column 'v' is int64 here but string in "):
        JsonlReaderStage().process(group(nulls, text, number))
