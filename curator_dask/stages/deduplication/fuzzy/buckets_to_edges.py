"""Buckets to edges: documents that share an LSH bucket become candidate duplicate pairs."""

from __future__ import annotations

from typing import Any

from curator_dask.tasks.frames import empty_frame, frame_from_arrays

__all__ = ["BUCKET_FIELD", "edge_fields", "edges_from_buckets", "edges_meta"]

BUCKET_FIELD = "_bucket_id"


def edge_fields(id_field: str) -> tuple[str, str]:
    """The two columns of an edge list (NeMo Curator's ``<id>_x``, ``<id>_y``)."""
    return f"{id_field}_x", f"{id_field}_y"


def edges_meta(like: Any, id_field: str) -> Any:
    """The empty edge list for a frame whose ``id_field`` column gives the id dtype."""
    x, y = edge_fields(id_field)
    return empty_frame(like, {x: id_field, y: id_field})


def edges_from_buckets(df: Any, id_field: str, all_pairs: bool = False) -> Any:
    """Edges ``(smaller id, larger id)`` between documents of a partition that share a bucket.

    By default each bucket becomes a star from its smallest id to every other member: the same
    connected components as all pairs, with ``size - 1`` edges instead of ``size**2 / 2``. With
    ``all_pairs`` every pair is listed (for the exact-Jaccard check, which may cut some of them).
    Duplicate edges are dropped.
    """
    x, y = edge_fields(id_field)
    ordered = df.sort_values([BUCKET_FIELD, id_field]).reset_index(drop=True)
    if all_pairs:
        pairs = ordered.merge(ordered, on=BUCKET_FIELD, suffixes=("_x", "_y"))
        pairs = pairs[pairs[x] < pairs[y]]
        edges = frame_from_arrays(df, {x: pairs[x], y: pairs[y]})
    else:
        first = ordered[BUCKET_FIELD] != ordered[BUCKET_FIELD].shift(1)
        # rows are sorted by id within a bucket, so the bucket's min is its first id; a
        # where().ffill() would go through NaN and turn integer ids into floats
        anchor = ordered.groupby(BUCKET_FIELD)[id_field].transform("min")
        edges = frame_from_arrays(df, {x: anchor[~first], y: ordered[id_field][~first]})
    return edges.drop_duplicates().reset_index(drop=True)
