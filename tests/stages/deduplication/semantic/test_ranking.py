"""RankingStrategy: NeMo's orders, made independent of the order rows arrive in."""

from __future__ import annotations

import pandas as pd

from curator_dask.stages.deduplication.semantic import RankingStrategy
from curator_dask.stages.deduplication.semantic.identification import default_ranking

CLUSTER = pd.DataFrame({"id": ["d", "a", "c", "b", "e"], "cosine_dist_to_cent": [0.2, 0.5, 0.2, 0.1, 0.5]})


def test_hard_keeps_the_farthest_and_breaks_ties_by_id() -> None:
    hard = default_ranking("hard", "cosine", "id", 42)
    assert hard.rank_cluster(CLUSTER, "id")["id"].tolist() == ["e", "a", "d", "c", "b"]
    easy = default_ranking("easy", "cosine", "id", 42)
    assert easy.rank_cluster(CLUSTER, "id")["id"].tolist() == ["b", "c", "d", "a", "e"]


def test_metadata_ranking_appends_the_id_as_last_tie_breaker() -> None:
    ranked = RankingStrategy(["cosine_dist_to_cent"]).rank_cluster(CLUSTER.iloc[::-1], "id")
    assert ranked["id"].tolist() == ["b", "c", "d", "a", "e"]


def test_random_is_seeded_and_ignores_the_arrival_order() -> None:
    strategy = RankingStrategy.random(random_seed=7)
    first = strategy.rank_cluster(CLUSTER, "id", cluster=3)["id"].tolist()
    assert strategy.rank_cluster(CLUSTER.iloc[::-1], "id", cluster=3)["id"].tolist() == first
    assert sorted(first) == sorted(CLUSTER["id"])
    others = {tuple(strategy.rank_cluster(CLUSTER, "id", cluster=c)["id"]) for c in range(10)}
    assert len(others) > 1  # each cluster gets its own draw
