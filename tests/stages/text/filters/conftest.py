"""The filter tests' corpus: generated documents of every awkward kind (``EDGE_CASES``)."""

from __future__ import annotations

import pytest

from curator_dask.examples.corpus import EDGE_CASES, documents


@pytest.fixture(scope="session")
def corpus() -> list[str]:
    """300 documents: half ragged English prose of 1500 to 4000 characters, half special cases."""
    return documents(300, seed=0, mix=EDGE_CASES, size=3000)["text"].tolist()
