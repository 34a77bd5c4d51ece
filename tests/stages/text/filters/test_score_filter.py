"""``Score``, ``Filter`` and ``ScoreFilter``: NeMo Curator's semantics on ``DocumentBatch``es."""

from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.errors import InputError
from curator_dask.examples.heuristic_english import english_heuristic_filters
from curator_dask.stages.text.filters import DocumentFilter, Filter, Score, ScoreFilter
from curator_dask.stages.text.filters.heuristic import NumbersFilter, WordCountFilter
from curator_dask.tasks import DocumentBatch


class LengthFilter(DocumentFilter):
    """Keeps documents of at least ``min_len`` characters; records set-up calls."""

    def __init__(self, min_len: int = 5) -> None:
        super().__init__()
        self.min_len = min_len
        self.calls: list[str] = []
        self._name = "length"

    def score_document(self, text: str) -> int:
        return len(text)

    def keep_document(self, score: int) -> bool:
        return score >= self.min_len

    def model_check_or_download(self) -> None:
        self.calls.append("download")

    def load_model(self) -> None:
        self.calls.append("load")


def _batch(texts: list[str], **columns: list[object]) -> DocumentBatch:
    batch = DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": texts, **columns}))
    batch._metadata = {"source_files": ["a.jsonl"]}
    batch._stage_perf = ["perf-record"]  # type: ignore[list-item]
    return batch


def test_score_filter_keeps_accepted_rows_and_writes_scores() -> None:
    batch = _batch(["tiny", "long enough", "sure thing"], id=[1, 2, 3])
    out = ScoreFilter(LengthFilter(), score_field="len").process(batch)
    assert out.to_pandas()["id"].tolist() == [2, 3]
    assert out.to_pandas()["len"].tolist() == [11, 10]
    assert out._metadata == {"source_files": ["a.jsonl"]}
    assert out._stage_perf == ["perf-record"]
    assert "len" not in batch.to_pandas().columns  # the input frame is not modified


def test_score_filter_without_score_field_and_inverted() -> None:
    batch = _batch(["tiny", "long enough"])
    out = ScoreFilter(LengthFilter(), invert=True).process(batch)
    assert out.to_pandas()["text"].tolist() == ["tiny"]
    assert list(out.to_pandas().columns) == ["text"]


def test_score_filter_keeps_the_same_rows_with_and_without_scores(corpus: list[str]) -> None:
    # Without score fields, filters are asked for decisions only (decide_batch), which may skip work.
    filters = english_heuristic_filters()
    batch = _batch(corpus, id=list(range(len(corpus))))
    scored = ScoreFilter(filters, score_field=[f"s{i}" for i in range(len(filters))]).process(batch)
    decided = ScoreFilter(filters).process(batch)
    assert 0 < len(decided.to_pandas()) < len(corpus)
    assert decided.to_pandas()["id"].tolist() == scored.to_pandas()["id"].tolist()


def test_all_rows_dropped_gives_an_empty_batch_and_empty_input_flows_on() -> None:
    out = ScoreFilter(LengthFilter(min_len=100)).process(_batch(["a", "b"]))
    assert isinstance(out, DocumentBatch)
    assert out.num_items == 0
    assert list(out.to_pandas().columns) == ["text"]
    empty = _batch([])
    assert ScoreFilter(LengthFilter()).process(empty) is empty


def test_missing_text_column_names_stage_column_and_columns_present() -> None:
    stage = ScoreFilter(WordCountFilter(), text_field="content")
    with pytest.raises(InputError, match=r"'word_count'.*'content'.*\['text', 'id'\]"):
        stage.process(_batch(["a b"], id=[1]))
    with pytest.raises(ValueError, match="content"):
        stage.process_batch([_batch(["a b"], id=[1])])


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["a b", None, None], r"^text column 'text' has 2 missing value\(s\), the first at index 'y'; the text "
                              r"filters score strings: fill them \(\.fillna\(''\)\) or drop those rows first$"),
        (["a b", "c", 7], r"^text column 'text' must hold strings; the value at index 'z' is a int: 7\. Convert the "
                          r"column \(\.astype\(str\)\) or drop those rows before the text filters \(Expected bytes"),
        ([b"\xff", None, "c"], r"the value at index 'x' is a bytes: b'\\xff'\. Convert the column"),
    ],
)  # fmt: skip
def test_text_values_that_are_not_strings_are_named(texts: list[object], message: str) -> None:
    batch = DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": texts}, index=["x", "y", "z"]))
    with pytest.raises(InputError, match=message):
        ScoreFilter(WordCountFilter()).process(batch)


def test_pyarrow_input_and_stage_names() -> None:
    batch = DocumentBatch(dataset_name="ds", data=pa.table({"text": ["1 2 3 4", "words only here"]}))
    out = ScoreFilter(NumbersFilter(), score_field="n").process(batch)
    assert out.to_pandas()["text"].tolist() == ["words only here"]
    assert ScoreFilter(NumbersFilter()).name == "numbers_ratio"
    chain = ScoreFilter([NumbersFilter(), WordCountFilter()], score_field=["a", "b"])
    assert chain.name == "score_filter_chain_of_numbers_ratio_word_count"
    assert Score(len, score_field="n").name == "score_fn"
    assert Filter(bool, filter_field="x").name == "filter_fn"


def test_chain_of_filters_applies_in_order_with_own_fields() -> None:
    batch = _batch(["one two three", "1 2 3 4 5 6", "x"], title=["a a a a a a", "b", "c c"])
    stage = ScoreFilter(
        [LengthFilter(min_len=2), WordCountFilter(min_words=2)],
        text_field=["text", "title"],
        score_field=["len", "words"],
        invert=[False, True],
    )
    out = stage.process(batch).to_pandas()
    assert out["text"].tolist() == ["1 2 3 4 5 6"]
    assert out["words"].tolist() == [1]


def test_argument_checks_follow_nemo() -> None:
    with pytest.raises(ValueError, match="score_field cannot be None"):
        Score(LengthFilter(), score_field=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="score_field must be a list"):
        ScoreFilter([LengthFilter(), NumbersFilter()], score_field="s")
    with pytest.raises(ValueError, match="More text fields"):
        ScoreFilter(LengthFilter(), text_field=["a", "b"])
    with pytest.raises(ValueError, match="filter_field must be a list"):
        Filter([LengthFilter(), NumbersFilter()], filter_field="s")
    # A one-element list is shared by every filter.
    stage = ScoreFilter([LengthFilter(), NumbersFilter()], text_field=["text"])
    assert stage.text_field == ["text", "text"]


def test_score_and_filter_stages() -> None:
    batch = _batch(["tiny", "long enough"])
    scored = Score([LengthFilter(), len], score_field=["a", "b"]).process(batch)
    assert scored.to_pandas()["a"].tolist() == [4, 11]
    assert scored.to_pandas()["b"].tolist() == [4, 11]
    kept = Filter(LengthFilter(), filter_field="a").process(scored)
    assert kept.to_pandas()["text"].tolist() == ["long enough"]
    inverted = Filter(lambda v: v > 5, filter_field="b", invert=True).process(scored)
    assert inverted.to_pandas()["text"].tolist() == ["tiny"]


def test_setup_hooks_reach_filters_with_models() -> None:
    flt = LengthFilter()
    stage = ScoreFilter([flt, NumbersFilter()], score_field=["a", "b"])
    stage.setup_on_node()
    stage.setup()
    assert flt.calls == ["download", "load"]


def test_stage_pickles_and_with_keeps_filters() -> None:
    stage = ScoreFilter(WordCountFilter(min_words=2), score_field="wc")
    clone = pickle.loads(pickle.dumps(stage.with_(batch_size=4)))
    assert clone.batch_size == 4
    assert clone.process(_batch(["a", "a b"])).to_pandas()["wc"].tolist() == [2]


def test_ray_stage_spec_marks_filters_with_a_model_or_tokenizer() -> None:
    from curator_dask.stages.text.filters import Filter, Score, ScoreFilter, TokenCountFilter, WordCountFilter

    class Tokens:
        def encode(self, text: str) -> list[str]:
            return text.split()

    assert ScoreFilter(WordCountFilter()).ray_stage_spec() == {"is_actor_stage": False}
    assert Score(TokenCountFilter(Tokens()), score_field="n").ray_stage_spec() == {"is_actor_stage": True}
    assert Filter(lambda n: n > 1, filter_field="n").ray_stage_spec() == {"is_actor_stage": False}
