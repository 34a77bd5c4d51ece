"""Removing documents by id: an anti-join of the documents against the ids to remove."""

from __future__ import annotations

from typing import Any

__all__ = ["remove_duplicates"]

_FLAG = "_curator_remove"


def remove_duplicates(frames: Any, removal_ids: Any, id_field: str, shuffle_method: str = "tasks") -> Any:
    """The documents of ``frames`` whose ``id_field`` is not among ``removal_ids[id_field]``.

    A left merge on the id then a filter, so it works alike for pandas and cudf collections.
    Dask picks a broadcast join when the id list has few partitions and a hash join otherwise;
    either way the surviving rows are exactly the documents not listed, in some order.

    Args:
        frames: the documents (a dask dataframe holding ``id_field``).
        removal_ids: a dask dataframe with the ids to remove in ``id_field`` (no duplicates).
        id_field: the id column of both.
        shuffle_method: Dask's shuffle method for the join (``"tasks"`` or ``"p2p"``).
    """
    flagged = removal_ids[[id_field]].assign(**{_FLAG: 1})
    merged = frames.merge(flagged, on=id_field, how="left", shuffle_method=shuffle_method)
    return merged[merged[_FLAG].isna()].drop(columns=[_FLAG])
