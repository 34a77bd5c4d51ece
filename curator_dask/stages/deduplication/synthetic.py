"""A corpus with planted near-duplicates (kept for existing imports).

The generator lives in ``curator_dask.examples.corpus`` as ``near_duplicates``, with the other
generated corpora; ``make_corpus`` is it under its old name and argument order.
"""

from __future__ import annotations

import pandas as pd

from curator_dask.examples.corpus import near_duplicates

__all__ = ["make_corpus"]


def make_corpus(
    num_docs: int = 300, duplicate_share: float = 0.4, words: int = 300, seed: int = 0, id_prefix: str = "doc"
) -> pd.DataFrame:
    """``near_duplicates(num_docs, seed, duplicate_share=..., words=..., id_prefix=...)``: the same corpus."""
    return near_duplicates(num_docs, seed, duplicate_share=duplicate_share, words=words, id_prefix=id_prefix)
