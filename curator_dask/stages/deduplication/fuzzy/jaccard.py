"""The optional false-positive check: exact Jaccard similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from curator_dask.stages.deduplication.fuzzy.buckets_to_edges import edge_fields
from curator_dask.stages.deduplication.fuzzy.minhash import shingles
from curator_dask.tasks.frames import empty_frame, is_cudf_frame

__all__ = ["filter_edges_by_jaccard", "jaccard"]

_TEXT_X, _TEXT_Y = "_text_x", "_text_y"


def jaccard(a: str, b: str, char_ngrams: int) -> float:
    """Jaccard similarity of the character n-gram sets of two texts."""
    sa, sb = set(shingles(a, char_ngrams)), set(shingles(b, char_ngrams))
    return len(sa & sb) / len(sa | sb)


def _keep_similar(df: Any, id_field: str, char_ngrams: int, threshold: float) -> Any:
    host = df.to_pandas() if is_cudf_frame(df) else df
    scores = np.fromiter(
        (jaccard(a, b, char_ngrams) for a, b in zip(host[_TEXT_X].tolist(), host[_TEXT_Y].tolist(), strict=True)),
        dtype=np.float64,
        count=len(host),
    )
    kept = host.loc[scores >= threshold, list(edge_fields(id_field))].reset_index(drop=True)
    if is_cudf_frame(df):
        import cudf

        return cudf.from_pandas(kept)
    return pd.DataFrame(kept)


def filter_edges_by_jaccard(
    edges: Any, frames: Any, id_field: str, text_field: str, char_ngrams: int, threshold: float, shuffle_method: str
) -> Any:
    """The candidate edges whose documents' exact Jaccard similarity is at least ``threshold``.

    Each edge is joined with both documents' texts (two merges on the cluster), then scored
    partition by partition. Shingle sets are Python sets, so this costs far more per pair than
    MinHash; it pays off when false positives are expensive.
    """
    x, y = edge_fields(id_field)
    texts = frames[[id_field, text_field]]
    with_x = edges.merge(texts.rename(columns={id_field: x, text_field: _TEXT_X}), on=x, shuffle_method=shuffle_method)
    with_both = with_x.merge(
        texts.rename(columns={id_field: y, text_field: _TEXT_Y}), on=y, shuffle_method=shuffle_method
    )
    return with_both.map_partitions(
        _keep_similar, id_field, char_ngrams, threshold, meta=empty_frame(edges._meta, {x: x, y: y})
    )
