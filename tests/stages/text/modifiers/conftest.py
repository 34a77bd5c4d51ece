"""Fixtures for the modifier tests: a seeded corpus of awkward documents (``MARKUP``)."""

from __future__ import annotations

import pandas as pd
import pytest

from curator_dask.examples.corpus import MARKUP, documents


@pytest.fixture(scope="module")
def corpus() -> pd.Series:
    """200 generated documents: mojibake, URLs, Markdown, quotes, CRLF runs, boilerplate."""
    texts = documents(200, seed=0, mix=MARKUP)["text"].tolist()
    return pd.Series(texts, index=pd.RangeIndex(100, 300), dtype=object)
