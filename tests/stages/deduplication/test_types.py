"""Deduplication keeps every column as it came in: dtypes, values, lists, dicts, nullable ints, strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.stages.deduplication import (
    ExactDeduplicationWorkflow,
    ExactDuplicateIdentification,
    FuzzyDeduplicationWorkflow,
    FuzzyDuplicateIdentification,
)
from tests.stages.deduplication.conftest import collection, identify, read_jsonl

BASES = [" ".join(f"{word}{i}" for i in range(40)) for word in ("alpha", "beta", "gamma", "delta", "omega")]
COPIES = {5: 0, 6: 1, 7: 0}  # row -> the row it copies; rows 5..7 are the duplicates to remove
FAST_FUZZY = {"bands_per_iteration": 20}


def mixed_documents(text_dtype: str) -> pd.DataFrame:
    """Eight documents (three exact copies) with a column of every kind deduplication must keep."""
    texts = [*BASES, *(BASES[COPIES[row]] for row in (5, 6, 7))]
    return pd.DataFrame(
        {
            "id": np.arange(100, 108, dtype=np.int64),
            "text": pd.Series(texts, dtype=text_dtype),
            "count": np.arange(8, dtype=np.int64) + 2**60,  # as a float it would lose its last digits
            "score": [0.5, np.nan, 1.25, -3.0, 1e300, 2.0, np.nan, 7.5],
            "flag": [True, False] * 4,
            "tags": [["a", "b"], [], ["c"], ["d", "e", "f"], ["g"], ["h"], [], ["i"]],
            "meta": [{"source": f"s{i}", "pos": {"line": i, "cols": [i, i + 1]}} for i in range(8)],
            "maybe": pd.array([1, None, 3, None, 5, 6, None, 8], dtype="Int64"),
            "title": pd.Series([f"t{i}" for i in range(8)], dtype="string[pyarrow]"),
            "mixed": [1, "one", 2.5, None, [1], {"k": 1}, "x", 3],
        }
    )


def _stage(cls: type, **kwargs: Any) -> Any:
    return cls(id_field="id", **kwargs, **(FAST_FUZZY if cls is FuzzyDuplicateIdentification else {}))


def assert_same_rows(out: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, dtypes and values, each value of the same Python type (a list stays a list)."""
    out = out.sort_values("id").reset_index(drop=True)
    expected = expected.sort_values("id").reset_index(drop=True)
    pd.testing.assert_series_equal(out.dtypes, expected.dtypes)
    assert out.astype(object).where(out.notna(), None).to_dict("records") == (
        expected.astype(object).where(expected.notna(), None).to_dict("records")
    )
    for column in ("tags", "meta", "mixed"):
        assert [type(v) for v in out[column]] == [type(v) for v in expected[column]]


@pytest.mark.parametrize(("shuffle_method", "text_dtype"), [("tasks", "str"), ("p2p", "string[pyarrow]")])
@pytest.mark.parametrize("stage_class", [ExactDuplicateIdentification, FuzzyDuplicateIdentification])
def test_removal_keeps_every_column_of_the_kept_documents(client, stage_class, shuffle_method, text_dtype) -> None:
    docs = mixed_documents(text_dtype)
    stage = _stage(stage_class, perform_removal=True, shuffle_method=shuffle_method)
    frames = collection(docs, 3, "pandas", stage)
    out, metrics = identify(stage, frames)
    assert metrics["documents_removed"] == 3
    assert_same_rows(out, docs.drop(index=list(COPIES)))


@pytest.mark.parametrize("shuffle_method", ["tasks", "p2p"])
@pytest.mark.parametrize("stage_class", [ExactDuplicateIdentification, FuzzyDuplicateIdentification])
def test_removal_ids_keep_the_id_dtype(client, stage_class, shuffle_method) -> None:
    docs = mixed_documents("str")
    stage = _stage(stage_class, shuffle_method=shuffle_method)
    frames = collection(docs, 3, "pandas", stage)
    out, _ = identify(stage, frames)
    assert sorted(out["id"].tolist()) == [105, 106, 107]
    assert out["id"].dtype == np.int64
    group = out[stage.group_field]
    if stage_class is FuzzyDuplicateIdentification:  # the group is the kept document's id
        assert group.dtype == np.int64 and sorted(group.tolist()) == [100, 100, 101]
    else:  # the group is the shared md5
        assert group.nunique() == 2 and all(isinstance(g, str) and len(g) == 32 for g in group)


def _write_input(folder: Path, filetype: str) -> None:
    docs = mixed_documents("str").drop(columns=["id"])  # the reader gives the ids
    folder.mkdir()
    for k in range(2):
        if filetype == "parquet":
            docs.drop(columns=["mixed"]).iloc[k::2].to_parquet(folder / f"part{k}.parquet")  # no mixed columns
        else:
            docs.iloc[k::2].to_json(folder / f"part{k}.jsonl", orient="records", lines=True)


def _records(paths: list[str], filetype: str) -> list[dict[str, Any]]:
    return (
        pa.concat_tables([pq.read_table(p) for p in paths]).to_pylist() if filetype == "parquet" else read_jsonl(paths)
    )


@pytest.mark.parametrize("filetype", ["parquet", "jsonl"])
@pytest.mark.parametrize("workflow_class", [ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow])
def test_workflow_writes_the_kept_documents_as_they_were_read(client, tmp_path, workflow_class, filetype) -> None:
    _write_input(tmp_path / "in", filetype)
    options = FAST_FUZZY if workflow_class is FuzzyDeduplicationWorkflow else {}
    workflow = workflow_class(
        input_path=str(tmp_path / "in"), input_filetype=filetype, output_path=str(tmp_path / "out"), **options
    )
    report = workflow.run(DaskExecutor(client=client))
    assert report.documents_removed == 3
    given = sorted(str(p) for p in (tmp_path / "in").iterdir())
    written = _records(report.output_files, filetype)
    # which copy of a text survives depends on the ids AddId derives from task ids; whichever it
    # is, every other field must come out as it went in
    assert sorted(r["text"] for r in written) == sorted(BASES)
    assert all(record in _records(given, filetype) for record in written)
    assert {type(r["count"]) for r in written} == {int} and {type(r["tags"]) for r in written} == {list}
    if filetype == "parquet":
        schema = pq.read_table(report.output_files[0]).schema.remove_metadata()
        assert schema == pq.read_table(given[0]).schema.remove_metadata()
