"""The ``Modify`` stage: fields, names, chains, carried bookkeeping and clear errors."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.errors import CuratorDaskError
from curator_dask.stages.text.modifiers import Modify, NewlineNormalizer, UrlRemover
from curator_dask.tasks import DocumentBatch


def _batch(data: pd.DataFrame | pa.Table, task_id: str = "0_3") -> DocumentBatch:
    batch = DocumentBatch(dataset_name="ds", data=data, _metadata={"source_files": ["a.jsonl"]}, _stage_perf=["perf-0"])
    batch._set_task_id("", task_id)
    return batch


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"text": ["see http://a.b now\n\n\n\nend", "plain"], "title": ["T1", "T2"]})


def test_in_place_single_modifier_keeps_bookkeeping() -> None:
    batch = _batch(_frame())
    stage = Modify(UrlRemover())
    out = stage.process(batch)
    assert stage.name == "UrlRemover"
    assert out.to_pandas()["text"].tolist() == ["see  now\n\n\n\nend", "plain"]
    assert out.dataset_name == "ds"
    assert out._metadata == {"source_files": ["a.jsonl"]}
    assert out._stage_perf == ["perf-0"]
    assert batch.to_pandas()["text"][0].startswith("see http")  # the input frame is untouched


def test_chain_name_and_order() -> None:
    stage = Modify([UrlRemover(), NewlineNormalizer()])
    assert stage.name == "modifier_chain_of_UrlRemover_NewlineNormalizer"
    out = stage.process(_batch(_frame()))
    assert out.to_pandas()["text"][0] == "see  now\n\nend"


def test_explicit_name_is_kept_and_with_renames() -> None:
    stage = Modify(UrlRemover(), name="clean_urls")
    assert stage.name == "clean_urls"
    assert stage.with_(name="other").name == "other"
    assert stage.name == "clean_urls"


def test_output_field_and_callables() -> None:
    stage = Modify([str.upper, UrlRemover()], input_fields=["title", "text"], output_fields=["TITLE", None])
    assert stage.name == "modifier_chain_of_upper_UrlRemover"
    assert stage.inputs() == (["data"], ["text", "title"])
    assert stage.outputs() == (["data"], ["TITLE", "text"])
    df = stage.process(_batch(_frame())).to_pandas()
    assert df["TITLE"].tolist() == ["T1".upper(), "T2"]
    assert df["title"].tolist() == ["T1", "T2"]


def test_multi_input_modifier_needs_an_output_field() -> None:
    def joined(title: str, text: str) -> str:
        return f"{title}: {text}"

    stage = Modify(joined, input_fields=[["title", "text"]], output_fields="combined")
    assert stage.process(_batch(_frame())).to_pandas()["combined"][1] == "T2: plain"
    with pytest.raises(ValueError, match="output_fields"):
        Modify(joined, input_fields=[["title", "text"]])


def test_chain_may_read_a_column_an_earlier_modifier_wrote() -> None:
    stage = Modify([UrlRemover(), NewlineNormalizer()], input_fields=["text", "clean"], output_fields=["clean", None])
    assert stage.inputs() == (["data"], ["text"])
    [out] = stage.process_batch([_batch(_frame())])
    assert out.to_pandas()["clean"][0] == "see  now\n\nend"


def test_pyarrow_and_empty_batches() -> None:
    table = pa.table({"text": ["www.x.y z"]})
    assert Modify(UrlRemover()).process(_batch(table)).to_pandas()["text"].tolist() == [" z"]
    empty = _batch(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert Modify(UrlRemover()).process(empty).num_items == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"modifier_fn": []}, ValueError, "at least one modifier"),
        ({"modifier_fn": [UrlRemover(), 3]}, TypeError, "DocumentModifier or a callable"),
        ({"modifier_fn": UrlRemover(), "input_fields": None}, ValueError, "cannot be None"),
        ({"modifier_fn": [UrlRemover()] * 3, "input_fields": ["a", "b"]}, ValueError, "give 1 or 3"),
        ({"modifier_fn": [UrlRemover()] * 2, "output_fields": ["a", "b", "c"]}, ValueError, "give 1 or 2"),
        ({"modifier_fn": UrlRemover(), "input_fields": 5}, TypeError, "input_fields must be"),
    ],
)
def test_bad_configuration(kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Modify(**kwargs)


def test_missing_column_names_stage_column_and_present_columns() -> None:
    stage = Modify(UrlRemover(), input_fields="body")
    with pytest.raises(CuratorDaskError) as info:
        stage.process(_batch(_frame()))
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "'UrlRemover'" in message and "['body']" in message and "'text', 'title'" in message
    assert "a.jsonl" in message and "input_fields=" in message
    with pytest.raises(ValueError, match=r"UrlRemover.*body"):
        stage.process_batch([_batch(_frame())])


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]"])
def test_a_string_text_column_keeps_its_dtype(dtype: str) -> None:
    df = pd.DataFrame({"text": pd.Series(["see http://a.b now", "b"], dtype=dtype)})
    out = Modify([UrlRemover(), str.upper]).process(_batch(df)).to_pandas()
    assert out["text"].dtype == df["text"].dtype and out["text"].tolist() == ["SEE  NOW", "B"]


def test_a_result_that_is_not_text_keeps_its_own_dtype() -> None:
    df = pd.DataFrame({"text": pd.Series(["ab", "abc"], dtype="str")})
    out = Modify(len, output_fields="n").process(_batch(df)).to_pandas()
    assert out["n"].tolist() == [2, 3] and out["n"].dtype == "int64"  # not cast to text "2", "3"


def test_nemo_curator_normalisation_helpers() -> None:
    from curator_dask.stages.text.modifiers.modifier import _normalize_input_fields, _normalize_output_fields

    mods = [str.upper, str.lower]
    assert _normalize_input_fields(["a"], mods) == [["a"], ["a"]]
    assert _normalize_input_fields([["a", "b"], ["c"]], mods) == [["a", "b"], ["c"]]
    assert _normalize_output_fields([None, "out"], [["p"], ["q"]], mods) == ["p", "out"]
    with pytest.raises(ValueError, match=r"got 3 input fields for 2 modifiers; give 1 or 2 \(for several input fields"):
        _normalize_input_fields(["a", "b", "c"], mods)
    with pytest.raises(TypeError, match=r"output_fields must be None, a str or a list, got 5"):
        _normalize_output_fields(5, [["a"], ["b"]], mods)  # type: ignore[arg-type]
