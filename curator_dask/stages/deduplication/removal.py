"""Removing documents by id, without moving the documents: only ids and row positions travel.

A merge of the documents with the ids to remove would send every column of every document
through a shuffle, and Dask's P2P shuffle goes through Arrow, which turns lists into arrays and
fails on columns of mixed values. Instead, the ids (with their partition and row) are joined
with the removal ids, the matching positions are routed to their partition, and each partition
drops its own rows. Each output partition is its input partition minus the removed rows: same
columns, dtypes, values, row order and index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from curator_dask.tasks.frames import array_module, empty_frame, frame_from_arrays

__all__ = ["remove_duplicates"]

_PART, _ROW = "_curator_partition", "_curator_row"


def _positions(df: Any, id_field: str, partition_info: dict[str, Any] | None = None) -> Any:
    """``[id_field, _PART, _ROW]`` of one partition: where each of its ids stands."""
    number = partition_info["number"] if partition_info else 0
    rows = len(df)
    columns = {
        id_field: df[id_field].reset_index(drop=True),
        _PART: np.full(rows, number, dtype=np.int64),
        _ROW: np.arange(rows, dtype=np.int64),
    }
    return frame_from_arrays(df, columns)


def _drop_rows(df: Any, removed: Any) -> Any:
    """``df`` without the rows at the positions ``removed[_ROW]`` (a pandas or cudf partition)."""
    keep = array_module(df).ones(len(df), dtype=bool)
    keep[removed[_ROW].values] = False
    return df[keep]


def remove_duplicates(frames: Any, removal_ids: Any, id_field: str, shuffle_method: str = "tasks") -> Any:
    """The documents of ``frames`` whose ``id_field`` is not among ``removal_ids[id_field]``.

    Works alike for pandas and cudf collections. The output has ``frames``' partitions, each
    holding the surviving rows of the same input partition, in their order, with every column's
    dtype unchanged; ``frames``' meta is the output's.

    Args:
        frames: the documents (a dask dataframe holding ``id_field``; its ids unique).
        removal_ids: a dask dataframe with the ids to remove in ``id_field``.
        id_field: the id column of both.
        shuffle_method: Dask's shuffle method for the id join and the routing (``"tasks"`` or ``"p2p"``).
    """
    meta = frames._meta
    positions = frames.map_partitions(
        _positions, id_field, meta=empty_frame(meta, {id_field: id_field, _PART: "int64", _ROW: "int64"})
    )
    hits = positions.merge(removal_ids[[id_field]], on=id_field, how="inner", shuffle_method=shuffle_method)
    # divisions 0, 1, ..., n: output partition k holds exactly the positions in input partition k
    routed = hits[[_PART, _ROW]].set_index(
        _PART, divisions=tuple(range(frames.npartitions + 1)), shuffle_method=shuffle_method
    )
    return frames.map_partitions(_drop_rows, routed, meta=meta, align_dataframes=False)
