"""Removing documents by id, without moving the documents: only ids and row positions travel.

A merge of the documents with the ids to remove would send every column of every document
through a shuffle, and Dask's P2P shuffle goes through Arrow, which turns lists into arrays and
fails on columns of mixed values. Instead, the ids (with their partition and row) are joined
with the removal ids, the matching positions are routed to their partition, and each partition
drops its own rows. Each output partition is its input partition minus the removed rows: same
columns, dtypes, values, row order and index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from curator_dask.stages.base import ProcessingStage
from curator_dask.tasks import DocumentBatch
from curator_dask.tasks.frames import array_module, empty_frame, frame_from_arrays, is_cudf_frame

__all__ = ["DropIdsStage", "drop_rows", "locate_ids", "remove_duplicates", "remove_located"]

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


def drop_rows(df: Any, rows: Any) -> Any:
    """``df`` (a pandas or cudf frame) without the rows at the positions ``rows``; order and index kept."""
    keep = array_module(df).ones(len(df), dtype=bool)
    keep[rows] = False
    return df[keep]


def _drop_routed(df: Any, removed: Any) -> Any:
    return drop_rows(df, removed[_ROW].values)


def locate_ids(frames: Any, removal_ids: Any, id_field: str, shuffle_method: str = "tasks") -> Any:
    """Where the ids of ``removal_ids[id_field]`` stand in ``frames``: ``[id_field, partition, row]``.

    One row per document to remove; removal ids that match no document have none (so the
    difference of the two lengths counts them).
    """
    positions = frames.map_partitions(
        _positions, id_field, meta=empty_frame(frames._meta, {id_field: id_field, _PART: "int64", _ROW: "int64"})
    )
    return positions.merge(removal_ids[[id_field]], on=id_field, how="inner", shuffle_method=shuffle_method)


def remove_located(frames: Any, hits: Any, shuffle_method: str = "tasks") -> Any:
    """``frames`` without the rows ``hits`` (from ``locate_ids``) points at; partitions and meta kept."""
    # divisions 0, 1, ..., n: output partition k holds exactly the positions in input partition k
    routed = hits[[_PART, _ROW]].set_index(
        _PART, divisions=tuple(range(frames.npartitions + 1)), shuffle_method=shuffle_method
    )
    return frames.map_partitions(_drop_routed, routed, meta=frames._meta, align_dataframes=False)


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
    hits = locate_ids(frames, removal_ids, id_field, shuffle_method)
    return remove_located(frames, hits, shuffle_method)


@dataclass
class DropIdsStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Drops, batch by batch, the documents whose ``id_field`` is one of ``ids``; order, dtypes kept.

    The fuzzy workflow's second pass: the documents are read again and filtered as they stream
    to the writer, instead of being held on the workers while the duplicates are found.

    Args:
        ids: the ids to remove (shipped with the stage to every worker).
        id_field: the documents' id column.
        drop_id_field: drop ``id_field`` from the output.
    """

    ids: Any
    id_field: str
    drop_id_field: bool = False
    name: str = "drop_duplicate_ids"

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.id_field]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        df = task.data if is_cudf_frame(task.data) else task.to_pandas()
        hit = df[self.id_field].isin(self.ids)
        kept = drop_rows(df, np.flatnonzero(hit.to_numpy()))
        if self.drop_id_field:
            kept = kept.drop(columns=[self.id_field])
        return DocumentBatch(
            dataset_name=task.dataset_name, data=kept, _metadata=task._metadata, _stage_perf=task._stage_perf
        )
