"""``DocumentSplitter`` and ``DocumentJoiner``: NeMo Curator's semantics, round trips and clear errors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError, InputError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.modules import DocumentJoiner, DocumentSplitter
from curator_dask.tasks import DocumentBatch


def _batch(df: pd.DataFrame) -> DocumentBatch:
    batch = DocumentBatch(dataset_name="d", data=df, _metadata={"source_files": ["a.jsonl"]}, _stage_perf=["p"])
    batch._set_task_id("", "0_1")
    return batch


DOCS = pd.DataFrame({"id": ["b", "a", "c"], "text": ["x\n\ny", "one", "p\n\n\n\nq"], "lang": ["en", "de", "fr"]})


def test_splitter_makes_one_row_per_segment_and_keeps_bookkeeping() -> None:
    out = DocumentSplitter(separator="\n\n").process(_batch(DOCS))
    df = out.to_pandas()
    assert df["text"].tolist() == ["x", "y", "one", "p", "", "q"]  # consecutive separators: an empty segment
    assert df["segment_id"].tolist() == [0, 1, 0, 0, 1, 2]
    assert df["id"].tolist() == ["b", "b", "a", "c", "c", "c"] and df["lang"].tolist()[:2] == ["en", "en"]
    assert list(df.index) == list(range(6))
    assert out._metadata == {"source_files": ["a.jsonl"]} and out._stage_perf == ["p"]


def test_splitter_keeps_str_dtype_missing_texts_and_empty_batches() -> None:
    df = pd.DataFrame({"text": pd.Series(["a|b", None], dtype="str")})
    out = DocumentSplitter(separator="|", segment_id_field="chunk").process(_batch(df)).to_pandas()
    assert out["text"].dtype == df["text"].dtype and out["text"].tolist()[:2] == ["a", "b"]
    assert out["text"].isna().tolist() == [False, False, True] and out["chunk"].tolist() == [0, 1, 0]
    empty = DocumentSplitter(separator="|").process(_batch(df.iloc[:0])).to_pandas()
    assert empty.empty and list(empty.columns) == ["text", "segment_id"]


def test_joiner_undoes_the_splitter() -> None:
    split = DocumentSplitter(separator="\n\n").process(_batch(DOCS))
    shuffled = _batch(split.to_pandas().sample(frac=1.0, random_state=3))
    joined = DocumentJoiner(separator="\n\n").process(shuffled).to_pandas()
    expected = DOCS.sort_values("id").reset_index(drop=True)
    assert joined.to_dict("list") == expected.to_dict("list")  # ordered by id, columns as they came


def test_joiner_keeps_the_first_values_and_optionally_the_segment_id() -> None:
    df = pd.DataFrame({"id": [1, 1, 2], "segment_id": [1, 0, 0], "text": ["B", "A", "C"], "tag": ["t1", "t0", "u"]})
    out = DocumentJoiner(separator="-", drop_segment_id_field=False).process(_batch(df)).to_pandas()
    assert out.to_dict("list") == {"id": [1, 2], "segment_id": [0, 0], "text": ["A-B", "C"], "tag": ["t0", "u"]}


def test_joiner_with_max_length_starts_a_new_document_when_full() -> None:
    texts = ["aaaa", "bb", "cccccccccc", "d", "e"]
    df = pd.DataFrame({"id": [7] * 5, "segment_id": range(5), "text": texts, "n": [len(t) for t in texts]})
    joiner = DocumentJoiner(separator="+", max_length=8, length_field="n", drop_segment_id_field=False)
    out = joiner.process(_batch(df)).to_pandas()
    # "aaaa+bb" is 7; adding "cccccccccc" would pass 8, which a single segment may still exceed alone.
    assert out["text"].tolist() == ["aaaa+bb", "cccccccccc", "d+e"]
    assert out["n"].tolist() == [7, 10, 3] and out["segment_id"].tolist() == [0, 1, 2]
    assert joiner.inputs()[1] == ["text", "segment_id", "id", "n"] and "n" in joiner.outputs()[1]


def test_joiner_keeps_a_str_text_column_str() -> None:
    df = pd.DataFrame({"id": [1, 1], "segment_id": [0, 1], "text": pd.Series(["a", "b"], dtype="str")})
    out = DocumentJoiner(separator=" ").process(_batch(df)).to_pandas()
    assert out["text"].dtype == df["text"].dtype and out["text"].tolist() == ["a b"]


def test_errors_name_the_stage_and_the_fix() -> None:
    with pytest.raises(ValueError, match=r"^max_length is specified but length_field is not: pass"):
        DocumentJoiner(max_length=10)
    with pytest.raises(ValueError, match=r"^length_field is specified but max_length is not: pass"):
        DocumentJoiner(length_field="n")
    with pytest.raises(ConfigError, match=r"DocumentSplitter\(separator=''\): pass a non-empty string"):
        DocumentSplitter(separator="")
    with pytest.raises(InputError, match=r"Stage 'document_splitter': the batch \(task 0_1, files \['a\.jsonl'\]\) "
                       r"has no column \['content'\]; its columns are \['id', 'text', 'lang'\]\. Pass text_field="):
        DocumentSplitter(separator="|", text_field="content").process(_batch(DOCS))
    nulls = pd.DataFrame({"id": [1, None], "segment_id": [0, 1], "text": ["a", "b"]})
    with pytest.raises(InputError, match=r"1 segment\(s\) of task 0_1 have no 'id' \(rows \[1\]\); .* Run AddId"):
        DocumentJoiner().process(_batch(nulls))


def test_split_and_join_in_a_pipeline_on_the_cluster(client: Any) -> None:
    batches = [_batch(DOCS.iloc[i : i + 2].reset_index(drop=True)) for i in (0, 2)]
    stages = [DocumentSplitter(separator="\n\n"), DocumentJoiner(separator="\n\n")]
    out = Pipeline("split-join", stages=stages).run(DaskExecutor(client=client), initial_tasks=batches)
    joined = pd.concat([t.to_pandas() for t in out]).sort_values("id").reset_index(drop=True)
    assert joined.to_dict("list") == DOCS.sort_values("id").reset_index(drop=True).to_dict("list")
