"""The embedding column: checked once over the whole collection, then read as a matrix per partition.

Semantic deduplication needs one vector of the same length, with finite numbers, in every
document. ``check_embeddings`` finds, in one pass over the partitions, where that does not hold
(missing column, a document without a vector, vectors of different lengths, NaN or infinite
values, values that are not numbers) and raises an ``InputError`` naming the column, a document
and the fix; only one summary row per partition reaches the driver. ``embedding_matrix`` turns
a checked partition's column into an ``n x d`` float32 array: numpy for pandas, cupy for cudf.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from curator_dask.errors import InputError
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["check_embeddings", "embedding_matrix", "embedding_summary"]

_SUMMARY = ("rows", "min_len", "min_id", "max_len", "max_id", "missing", "missing_id", "bad", "bad_id")


def _first(ids: list[Any], mask: np.ndarray) -> Any:
    hits = np.flatnonzero(mask)
    return ids[int(hits[0])] if len(hits) else None


def embedding_summary(df: Any, id_field: str, embedding_field: str) -> pd.DataFrame:
    """One partition's embedding column in one row: lengths, and the first offending documents."""
    host = df[[id_field, embedding_field]].to_pandas() if is_cudf_frame(df) else df
    ids = host[id_field].tolist()
    values = host[embedding_field].tolist()
    lengths = np.array([len(v) if isinstance(v, (list, tuple, np.ndarray)) else -1 for v in values], dtype=np.int64)
    missing = lengths < 0
    bad = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(~missing):
        try:
            vector = np.asarray(values[i], dtype=np.float64)
        except (TypeError, ValueError):
            bad[i] = True
            continue
        bad[i] = vector.ndim != 1 or not bool(np.isfinite(vector).all())
    present = np.where(missing, np.iinfo(np.int64).max, lengths)
    row: dict[str, Any] = {"rows": len(values), "missing": int(missing.sum()), "bad": int(bad.sum())}
    row["missing_id"], row["bad_id"] = _first(ids, missing), _first(ids, bad)
    if (~missing).any():
        lo, hi = int(present.argmin()), int(lengths.argmax())
        row |= {"min_len": int(lengths[lo]), "min_id": ids[lo], "max_len": int(lengths[hi]), "max_id": ids[hi]}
    else:
        row |= {"min_len": -1, "min_id": None, "max_len": -1, "max_id": None}
    return pd.DataFrame([row], columns=list(_SUMMARY)).astype(object)


def check_embeddings(frames: Any, stage_name: str, id_field: str, embedding_field: str, client: Any) -> tuple[int, int]:
    """Check every document's embedding; return the number of documents and the embedding length.

    Raises:
        InputError: the column is missing, or a document's embedding is missing, of another
            length than the others, not numeric, or holds NaN or infinite values.
    """
    import dask

    where = f"Stage {stage_name!r}: column {embedding_field!r}"
    if embedding_field not in frames.columns:
        msg = (
            f"Stage {stage_name!r}: the documents lack the embedding column {embedding_field!r} (they have "
            f"{list(frames.columns)}). Pass embedding_field=<the column holding the vectors>, or run "
            "EmbeddingCreatorStage first."
        )
        raise InputError(msg)
    parts = [dask.delayed(embedding_summary)(p, id_field, embedding_field) for p in frames.to_delayed()]
    summary = pd.concat(client.compute(parts, sync=True), ignore_index=True)
    rows = int(summary["rows"].sum())
    missing, bad = summary[summary["missing"] > 0], summary[summary["bad"] > 0]
    if len(missing):
        msg = (
            f"{where} must hold a list of numbers in every document, but {int(summary['missing'].sum())} of {rows} "
            f"documents have none; the first is document {missing['missing_id'].iloc[0]!r}. Fix: drop those "
            "documents or compute their embeddings before semantic deduplication."
        )
        raise InputError(msg)
    present = summary[summary["min_len"] >= 0]
    lo, hi = present.loc[present["min_len"].astype(int).idxmin()], present.loc[present["max_len"].astype(int).idxmax()]
    if rows and lo["min_len"] != hi["max_len"]:
        msg = (
            f"{where} is ragged: every embedding must have the same length, but document {lo['min_id']!r} has "
            f"{lo['min_len']} values and document {hi['max_id']!r} has {hi['max_len']}. Fix: embed every document "
            "with the same model (and dimension)."
        )
        raise InputError(msg)
    if len(bad):
        msg = (
            f"{where} must hold finite numbers, but {int(summary['bad'].sum())} of {rows} embeddings hold NaN, "
            f"infinite or non-numeric values; the first is document {bad['bad_id'].iloc[0]!r}. Fix: drop or "
            "re-embed those documents before semantic deduplication."
        )
        raise InputError(msg)
    return rows, int(lo["min_len"]) if rows else 0


def embedding_matrix(df: Any, embedding_field: str, dim: int) -> Any:
    """A checked partition's embeddings as an ``n x dim`` float32 array (cupy for cudf partitions)."""
    column = df[embedding_field]
    if is_cudf_frame(df):
        return column.list.leaves.values.reshape(len(df), dim).astype("float32")
    if not len(column):
        return np.empty((0, dim), dtype=np.float32)
    return np.asarray(np.stack([np.asarray(v, dtype=np.float32) for v in column.tolist()]), dtype=np.float32)
