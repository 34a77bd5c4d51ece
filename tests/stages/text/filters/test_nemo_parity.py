"""Same scores and decisions as NeMo Curator's own filters (skipped when it is not installed)."""

from __future__ import annotations

import math

import pytest

import curator_dask.stages.text.filters.heuristic as ours

string = pytest.importorskip("nemo_curator.stages.text.filters.heuristic.string")
repetition = pytest.importorskip("nemo_curator.stages.text.filters.heuristic.repetition")


@pytest.mark.parametrize("name", [n for n in ours.__all__ if n != "SubstringFilter"])
def test_matches_nemo_curator(name: str, corpus: list[str]) -> None:
    theirs = (getattr(string, name, None) or getattr(repetition, name))()
    mine = getattr(ours, name)()
    assert mine.name == theirs.name
    for text in corpus:
        try:
            expected = theirs.score_document(text)
        except (ZeroDivisionError, ValueError):
            assert math.isnan(mine.score_document(text))
            continue
        assert mine.score_document(text) == expected
        assert mine.keep_document(expected) == theirs.keep_document(expected)
