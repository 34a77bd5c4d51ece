"""Embeddings with planted near-duplicates, for tests, notebooks and the benchmark.

``planted_embeddings`` draws ``groups`` random directions, gives each ``copies`` noisy copies
(cosine similarity to each other about ``1 - noise**2``) and adds ``singletons`` unrelated
vectors; in 64 or more dimensions unrelated vectors have cosine similarity near 0, so a cut
like ``eps=0.01`` separates planted copies from everything else for ``noise`` up to ~0.07.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["planted_embeddings"]


def planted_embeddings(
    groups: int, copies: int, singletons: int, dim: int = 64, noise: float = 0.03, seed: int = 0, id_offset: int = 0
) -> pd.DataFrame:
    """``[id, embeddings, group]``: ``group`` is the planted group (-1 for singletons); rows shuffled.

    Args:
        groups: planted groups of near-duplicates.
        copies: documents per group (all noisy copies of the group's direction).
        singletons: documents with no duplicate.
        dim: embedding length.
        noise: noise norm relative to the (unit) direction.
        seed: seed of everything drawn.
        id_offset: first id number (``doc-<number>``), to build one set in several calls.
    """
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((groups, dim)).astype(np.float32)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    base = np.repeat(directions, copies, axis=0)
    jitter = rng.standard_normal(base.shape).astype(np.float32) * np.float32(noise / np.sqrt(dim))
    planted = base + jitter
    alone = rng.standard_normal((singletons, dim)).astype(np.float32)
    vectors = np.concatenate([planted, alone]) if singletons else planted
    group = np.concatenate([np.repeat(np.arange(groups), copies), np.full(singletons, -1)])
    order = rng.permutation(len(vectors))
    ids = [f"doc-{id_offset + i:08d}" for i in range(len(vectors))]
    return pd.DataFrame({"id": ids, "embeddings": list(vectors[order]), "group": group[order]})
