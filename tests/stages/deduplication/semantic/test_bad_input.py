"""Bad input and bad settings: each a curator_dask error naming the column or parameter and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curator_dask.errors import ConfigError, DuplicateIdError, InputError
from curator_dask.stages.deduplication.semantic import (
    IdentifyDuplicatesStage,
    RankingStrategy,
    SemanticDeduplicationWorkflow,
    SemanticDuplicateIdentification,
)
from tests.stages.deduplication.conftest import collection, identify


def _docs(vectors: list) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"d{i}" for i in range(len(vectors))], "embeddings": vectors})


GOOD = [np.ones(4, dtype=np.float32) * (i + 1) + np.arange(4) for i in range(6)]


def _run(df: pd.DataFrame, **options) -> None:
    stage = SemanticDuplicateIdentification(**({"n_clusters": 2} | options))
    identify(stage, collection(df, 2, "pandas", stage))


def test_missing_embedding_column(client) -> None:
    with pytest.raises(InputError, match=r"lack the embedding column 'emb' \(they have \['id', 'embeddings'\]\)"):
        _run(_docs(GOOD), embedding_field="emb")


def test_ragged_embeddings_name_two_documents(client) -> None:
    vectors = [*GOOD[:5], np.ones(3, dtype=np.float32)]
    with pytest.raises(
        InputError, match=r"column 'embeddings' is ragged.*document 'd5' has 3 values and document 'd0' has 4"
    ):
        _run(_docs(vectors))


def test_nan_in_an_embedding(client) -> None:
    vectors = [*GOOD[:3], np.array([1.0, np.nan, 0.0, 1.0]), *GOOD[4:]]
    with pytest.raises(
        InputError, match=r"1 of 6 embeddings hold NaN, infinite or non-numeric values; the first is document 'd3'"
    ):
        _run(_docs(vectors))


def test_a_document_without_an_embedding(client) -> None:
    vectors = [*GOOD[:2], None, *GOOD[3:]]
    with pytest.raises(InputError, match=r"1 of 6 documents have none; the first is document 'd2'"):
        _run(_docs(vectors))


def test_more_clusters_than_documents(client) -> None:
    with pytest.raises(
        ConfigError, match=r"n_clusters=10 is larger than the number of documents \(6\)\. Fix: pass n_clusters <= 6"
    ):
        _run(_docs(GOOD), n_clusters=10)


def test_init_array_of_the_wrong_shape(client) -> None:
    with pytest.raises(ConfigError, match=r"init is an array of shape \(2, 3\).*need shape \(2, 4\)"):
        _run(_docs(GOOD), init=np.zeros((2, 3)))


def test_repeated_ids(client) -> None:
    df = _docs(GOOD).assign(id=["a", "a", "b", "c", "d", "e"])
    with pytest.raises(DuplicateIdError, match=r"column 'id' must hold a unique id per document"):
        _run(df)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"eps": 1.5}, r"eps=1.5 is not a similarity cut: pass a number in \[0, 1\]"),
        ({"n_clusters": 0}, r"n_clusters=0 must be a positive integer"),
        ({"which_to_keep": "best"}, r"which_to_keep='best' is not supported; pass 'hard', 'easy' or 'random'"),
        ({"distance_metric": "dot"}, r"distance_metric='dot' is not supported; pass 'cosine' or 'l2'"),
        ({"init": "kmeans"}, r"init='kmeans' is not supported"),
        ({"eps": None, "perform_removal": True}, r"perform_removal=True needs eps"),
    ],
)
def test_bad_settings_fail_at_construction(options, message) -> None:
    with pytest.raises(ConfigError, match=message):
        SemanticDuplicateIdentification(**options)


def test_ranking_and_workflow_settings() -> None:
    with pytest.raises(ConfigError, match=r"Length of ascending \(1\) must match metadata_cols \(2\); pass one bool"):
        RankingStrategy(["a", "b"], ascending=[True])
    with pytest.raises(ConfigError, match=r"Invalid strategy: strategy='best' is not supported"):
        RankingStrategy([], strategy="best")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"fit_data_fraction=0.5 is not supported.*Pass fit_data_fraction=None"):
        SemanticDeduplicationWorkflow("in", "out", n_clusters=2, fit_data_fraction=0.5)
    with pytest.raises(ConfigError, match=r"eps=None is not a similarity cut"):
        IdentifyDuplicatesStage(eps=None)  # type: ignore[arg-type]


def test_ranking_by_a_column_the_documents_lack(client) -> None:
    with pytest.raises(ConfigError, match=r"the ranking needs column\(s\) \['quality'\], which the documents lack"):
        _run(_docs(GOOD), ranking_strategy=RankingStrategy(["quality"]))
