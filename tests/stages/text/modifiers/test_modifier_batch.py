"""The vectorised ``modify_batch`` of every modifier equals its per-document method."""

from __future__ import annotations

import pandas as pd
import pytest

from curator_dask.stages.text import modifiers
from curator_dask.stages.text.modifiers import DocumentModifier
from tests.stages.text.modifiers.cases import MODIFIERS


@pytest.mark.parametrize("modifier", MODIFIERS, ids=lambda m: f"{m.name}-{id(m) % 1000}")
@pytest.mark.parametrize("dtype", [object, "str"])
def test_batch_equals_per_document(modifier: DocumentModifier, corpus: pd.Series, dtype: object) -> None:
    texts = corpus.astype(dtype)
    expected = [modifier.modify_document(t) for t in corpus]
    result = modifier.modify_batch(texts)
    assert result.index.equals(corpus.index)
    assert result.tolist() == expected


def test_corpus_exercises_the_modifiers(corpus: pd.Series) -> None:
    # Guards the guard: each modifier must actually change a fair share of the corpus.
    for modifier in (
        modifiers.NewlineNormalizer(),
        modifiers.UrlRemover(),
        modifiers.MarkdownRemover(),
        modifiers.QuotationRemover(),
        modifiers.UnicodeReformatter(),
    ):
        changed = sum(a != b for a, b in zip(modifier.modify_batch(corpus), corpus, strict=True))
        assert changed >= 10, modifier.name


@pytest.mark.parametrize("modifier", MODIFIERS, ids=lambda m: f"{m.name}-{id(m) % 1000}")
def test_empty_column(modifier: DocumentModifier) -> None:
    assert modifier.modify_batch(pd.Series([], dtype=object)).tolist() == []


def test_default_batch_loops_over_modify_document() -> None:
    class Upper(DocumentModifier):
        def modify_document(self, text: str) -> str:
            return text.upper()

    result = Upper().modify_batch(pd.Series(["a", "b"], index=[7, 9]))
    assert result.to_dict() == {7: "A", 9: "B"}
    assert result.dtype == object
