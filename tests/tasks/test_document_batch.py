"""``DocumentBatch``: pandas and pyarrow payloads, empty batches, wrong payloads."""

from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.tasks import DocumentBatch

ROWS = {"text": ["a b", "c", "d e f"], "id": [1, 2, 3]}


@pytest.fixture(params=["pandas", "pyarrow"])
def batch(request: pytest.FixtureRequest) -> DocumentBatch:
    data = pd.DataFrame(ROWS) if request.param == "pandas" else pa.table(ROWS)
    return DocumentBatch(dataset_name="docs", data=data)


def test_num_items_is_row_count(batch: DocumentBatch) -> None:
    assert batch.num_items == 3


def test_get_columns(batch: DocumentBatch) -> None:
    assert batch.get_columns() == ["text", "id"]


def test_to_pandas(batch: DocumentBatch) -> None:
    df = batch.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df.to_dict(orient="list") == ROWS


def test_to_pyarrow(batch: DocumentBatch) -> None:
    table = batch.to_pyarrow()
    assert isinstance(table, pa.Table)
    assert table.to_pydict() == ROWS


def test_to_pyarrow_drops_the_pandas_index() -> None:
    df = pd.DataFrame(ROWS).iloc[1:]  # a non-default index must not become a column
    assert DocumentBatch(dataset_name="docs", data=df).to_pyarrow().column_names == ["text", "id"]


def test_same_payload_type_is_returned_as_is() -> None:
    df, table = pd.DataFrame(ROWS), pa.table(ROWS)
    assert DocumentBatch(dataset_name="docs", data=df).to_pandas() is df
    assert DocumentBatch(dataset_name="docs", data=table).to_pyarrow() is table


@pytest.mark.parametrize(
    "data", [pd.DataFrame(), pd.DataFrame({"text": []}), pa.table({"text": pa.array([], pa.string())})]
)
def test_empty_batch_is_valid(data: pd.DataFrame | pa.Table) -> None:
    batch = DocumentBatch(dataset_name="docs", data=data)
    assert batch.validate() is True
    assert batch.num_items == 0


def test_default_data_is_an_empty_dataframe() -> None:
    batch = DocumentBatch(dataset_name="docs")
    assert isinstance(batch.data, pd.DataFrame)
    assert batch.num_items == 0


@pytest.mark.parametrize("data", [[{"text": "a"}], {"text": ["a"]}, "text", None, pd.Series(["a"])])
def test_wrong_payload_type_raises_type_error(data: object) -> None:
    with pytest.raises(TypeError, match="DocumentBatch data must be"):
        DocumentBatch(dataset_name="docs", data=data)


def test_task_id_is_not_an_init_field_and_starts_empty(batch: DocumentBatch) -> None:
    assert batch.task_id == ""
    with pytest.raises(TypeError):
        DocumentBatch(dataset_name="docs", data=pd.DataFrame(), task_id="x")  # type: ignore[call-arg]


def test_repr_is_short_and_hides_the_payload() -> None:
    batch = DocumentBatch(dataset_name="docs", data=pd.DataFrame({"text": ["secret payload"]}))
    batch._set_task_id("0", 3)
    assert repr(batch) == "DocumentBatch(task_id=0_3, dataset_name=docs)"


def test_survives_pickle_with_its_bookkeeping(batch: DocumentBatch) -> None:
    batch._set_task_id("0", 1)
    batch._metadata["source_files"] = ["a.jsonl"]
    clone = pickle.loads(pickle.dumps(batch))
    assert clone.task_id == "0_1"
    assert clone._metadata == {"source_files": ["a.jsonl"]}
    assert clone.to_pandas().equals(batch.to_pandas())
    assert clone.get_deterministic_id() is None
