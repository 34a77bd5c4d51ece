"""Semantic duplicate identification on planted near-duplicates: recall, a brute-force reference, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from curator_dask.stages.deduplication.semantic import RankingStrategy, SemanticDuplicateIdentification
from curator_dask.stages.deduplication.semantic.synthetic import planted_embeddings
from tests.stages.deduplication.conftest import collection, identify

# 2,000 vectors: 150 planted groups of 4 noisy copies and 1,400 singletons
PLANTED = planted_embeddings(groups=150, copies=4, singletons=1400, dim=64, noise=0.03, seed=5)
EPS = 0.01


def brute_force_removal(df: pd.DataFrame, eps: float) -> set[str]:
    """Ids whose cosine similarity to any document with a smaller id is at least ``1 - eps`` (all pairs)."""
    ordered = df.sort_values("id", ignore_index=True)
    x = np.stack(ordered["embeddings"].tolist()).astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sims = np.where(np.tri(len(x), k=-1, dtype=bool), x @ x.T, -np.inf)
    return set(ordered["id"][sims.max(axis=1) >= 1 - eps])


def _removed(stage: SemanticDuplicateIdentification, npartitions: int, backend: str = "pandas") -> set[str]:
    out, metrics = identify(stage, collection(PLANTED[["id", "embeddings"]], npartitions, backend, stage))
    assert list(out.columns) == ["id"]
    assert metrics["documents_removed"] == len(out)
    return set(out["id"])


@pytest.mark.slow
def test_planted_duplicates_are_found_and_no_singleton_is_removed(client, backend) -> None:
    removed = _removed(SemanticDuplicateIdentification(n_clusters=12, eps=EPS), 3, backend)
    group = PLANTED.set_index("id")["group"]
    planted = int((PLANTED["group"] >= 0).sum() - PLANTED.loc[PLANTED["group"] >= 0, "group"].nunique())
    assert not (group[list(removed)] < 0).any()  # no singleton removed
    assert len(removed) / planted >= 0.95  # recall of the planted duplicates (3 per group)
    survivors = PLANTED[~PLANTED["id"].isin(removed) & (PLANTED["group"] >= 0)]
    assert survivors["group"].nunique() == 150  # every group keeps one document


@pytest.mark.slow
def test_removal_ids_equal_a_brute_force_all_pairs_reference(client, backend) -> None:
    stage = SemanticDuplicateIdentification(n_clusters=12, eps=EPS, ranking_strategy=RankingStrategy(["id"]))
    assert _removed(stage, 4, backend) == brute_force_removal(PLANTED, EPS)


@pytest.fixture(scope="module")
def one_worker() -> Client:
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as lc, Client(lc) as c:
        yield c


@pytest.mark.slow
@pytest.mark.parametrize("which_to_keep", ["hard", "easy", "random"])
def test_same_removal_ids_for_any_partitioning_and_worker_count(client, one_worker, which_to_keep) -> None:
    def run(npartitions: int, on: Client) -> pd.DataFrame:
        stage = SemanticDuplicateIdentification(n_clusters=12, eps=None, which_to_keep=which_to_keep, random_state=3)
        with on.as_current():
            out, _ = identify(stage, collection(PLANTED[["id", "embeddings"]], npartitions, "pandas", stage))
        return out.sort_values("id", ignore_index=True)

    reference = run(1, client)
    assert list(reference.columns) == ["id", "max_id", "cosine_sim_score", "centroid"]
    for npartitions, on in ((3, client), (7, client), (3, one_worker)):
        pd.testing.assert_frame_equal(run(npartitions, on), reference)
    removed = set(reference["id"][reference["cosine_sim_score"] >= 1 - EPS])
    assert len(removed) >= 0.95 * 450


@pytest.mark.slow
def test_perform_removal_keeps_every_column_of_the_survivors(client) -> None:
    docs = PLANTED.assign(text=[f"text {i}" for i in range(len(PLANTED))])
    stage = SemanticDuplicateIdentification(n_clusters=12, eps=EPS, perform_removal=True)
    kept, metrics = identify(stage, collection(docs, 3, "pandas", stage))
    assert list(kept.columns) == list(docs.columns)
    assert len(kept) == len(docs) - metrics["documents_removed"]
    assert set(kept["group"][kept["group"] >= 0]) == set(range(150))
    assert metrics["kmeans_iterations"] >= 1
