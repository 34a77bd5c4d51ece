"""``RankingStrategy``: which document of a group of near-duplicates is kept (NeMo Curator's names).

Within a cluster the documents are ranked; a document is a duplicate when it is similar enough to
a *higher-ranked* one, so the highest-ranked document of every group survives. ``"sort"`` ranks
by metadata columns (NeMo's ``which_to_keep="hard"`` is the distance to the centroid, descending;
``"easy"`` ascending), ``"random"`` by a seeded shuffle.

Unlike NeMo Curator, the order never depends on how rows arrived: ``"sort"`` always breaks ties
by the id column last, and ``"random"`` shuffles the rows sorted by id with a generator seeded
by ``random_seed`` and the cluster number. So the same removal ids come out for any number of
partitions or workers.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from curator_dask.errors import ConfigError, InputError
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["RankingStrategy"]


class RankingStrategy:
    """How documents are ranked within a cluster before the pairwise comparison.

    Args:
        metadata_cols: columns to sort by, in priority order (``"sort"``).
        ascending: one order for all columns, or one per column.
        strategy: ``"sort"`` (by ``metadata_cols``) or ``"random"``.
        random_seed: seed of ``"random"``.
    """

    def __init__(
        self,
        metadata_cols: list[str],
        ascending: list[bool] | bool = True,
        strategy: Literal["sort", "random"] = "sort",
        random_seed: int = 42,
    ) -> None:
        if strategy not in ("sort", "random"):
            msg = f"RankingStrategy: Invalid strategy: strategy={strategy!r} is not supported; pass 'sort' or 'random'"
            raise ConfigError(msg)
        self.metadata_cols = list(metadata_cols)
        self.strategy = strategy
        self.random_seed = random_seed
        if isinstance(ascending, bool):
            self.ascending = [ascending] * len(self.metadata_cols)
        elif len(ascending) != len(self.metadata_cols):
            msg = (
                f"RankingStrategy: Length of ascending ({len(ascending)}) must match metadata_cols "
                f"({len(self.metadata_cols)}); pass one bool, or one per column"
            )
            raise ConfigError(msg)
        else:
            self.ascending = list(ascending)

    @classmethod
    def metadata_based(
        cls, metadata_cols: list[str], ascending: list[bool] | bool = True, random_seed: int = 42
    ) -> RankingStrategy:
        """Rank by ``metadata_cols`` (then by id)."""
        return cls(metadata_cols=metadata_cols, ascending=ascending, strategy="sort", random_seed=random_seed)

    @classmethod
    def random(cls, random_seed: int = 42) -> RankingStrategy:
        """Rank at random, reproducibly for ``random_seed``."""
        return cls(metadata_cols=[], strategy="random", random_seed=random_seed)

    def __repr__(self) -> str:
        return (
            f"RankingStrategy(metadata_cols={self.metadata_cols}, ascending={self.ascending}, "
            f"strategy={self.strategy!r}, random_seed={self.random_seed})"
        )

    def rank_cluster(self, cluster_df: Any, id_field: str, cluster: int = 0) -> Any:
        """``cluster_df`` (pandas or cudf) in rank order, highest-ranked first, with a fresh index."""
        if self.strategy == "random":
            ordered = cluster_df.sort_values(id_field, ignore_index=True)
            order = np.random.default_rng([self.random_seed, int(cluster)]).permutation(len(ordered))
            return ordered.take(order).reset_index(drop=True)
        missing = [c for c in self.metadata_cols if c not in cluster_df.columns]
        if missing:
            msg = (
                f"RankingStrategy: Required columns {missing} not found in cluster data (it has "
                f"{list(cluster_df.columns)}); add them to metadata_fields or rank by other columns"
            )
            raise InputError(msg)
        by = [*self.metadata_cols, id_field] if id_field not in self.metadata_cols else self.metadata_cols
        ascending = [*self.ascending, True] if id_field not in self.metadata_cols else self.ascending
        if is_cudf_frame(cluster_df):
            return cluster_df.sort_values(by=by, ascending=ascending, ignore_index=True)
        return cluster_df.sort_values(by=by, ascending=ascending, ignore_index=True, kind="stable")
