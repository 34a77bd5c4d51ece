"""The checks a dedup stage runs on the whole collection before any hashing, shuffle or removal.

Removal is an anti-join on the id column, so the ids must be unique across the collection (ids
that restart at 0 in every file would make one duplicate remove unique documents of other files)
and never null; hashing needs a string in every document's text. All three are found in one
computation over the ids and texts in place: the ids go through one shuffle (a ``value_counts``),
the texts never leave their partition, and only counts and at most one row per partition come
back to the driver. Each failure is a ``curator_dask.errors`` error naming the column, a document
and the fix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.errors import DuplicateIdError, InputError
from curator_dask.tasks.frames import empty_frame, frame_from_arrays, is_cudf_frame

__all__ = ["check_documents", "first_bad_text", "not_text"]

_VALUE, _COUNT = "_value", "_count"
_ID_FIX = (
    "pass id_field=None to the deduplication workflow so that the reader gives every document a unique id, "
    "or make the column unique (and non-null) across all input files"
)
_SHOWN_CHARS = 40


def _describe(value: Any) -> str:
    """A short, readable name of a value that is not a text: its type and the start of its repr."""
    if value is None or value is pd.NA:
        return f"{value!r} (null)"
    if isinstance(value, float) and math.isnan(value):
        return "NaN (float, null)"
    shown = repr(value)
    return f"{type(value).__name__} {shown if len(shown) <= _SHOWN_CHARS else shown[:_SHOWN_CHARS] + '...'}"


def not_text(values: Any) -> np.ndarray:
    """A host boolean mask of the entries of a pandas/cudf series that are not strings."""
    if is_cudf_frame(values):
        import cudf

        if cudf.api.types.is_string_dtype(values.dtype):
            return values.isna().to_numpy()  # type: ignore[no-any-return]
        values = values.to_pandas()
    if isinstance(values.dtype, pd.StringDtype):  # the column's type already says every entry is a str or null
        return values.isna().to_numpy()  # type: ignore[no-any-return]
    return np.fromiter((not isinstance(v, str) for v in values.tolist()), dtype=bool, count=len(values))


def first_bad_text(df: Any, id_field: str, text_field: str) -> Any:
    """One partition's first document whose text is not a string: ``[id_field, _value, _count]``.

    Empty when every text is a string; otherwise one row: the document's id, a description of
    its value (``None (null)``, ``NaN (float, null)``, ``int 42`` ...) and how many texts of
    the partition are bad.
    """
    bad = np.flatnonzero(not_text(df[text_field]))
    if not len(bad):
        return empty_frame(df, {id_field: id_field, _VALUE: "str", _COUNT: "int64"})
    first = int(bad[0])
    value = df[text_field].iloc[first : first + 1]
    value = (value.to_pandas() if is_cudf_frame(value) else value).tolist()[0]  # a Python value, not np.float64
    ident = df[id_field].iloc[first : first + 1].reset_index(drop=True)
    return frame_from_arrays(df, {id_field: ident, _VALUE: [_describe(value)], _COUNT: [len(bad)]})


def _host(frame: Any) -> pd.DataFrame:
    return frame.to_pandas() if is_cudf_frame(frame) else frame


def _scalar(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (so a message shows ``0``, not ``np.int64(0)``)."""
    return value.item() if isinstance(value, np.generic) else value


def check_documents(
    frames: Any, stage_name: str, id_field: str, text_field: str | None, nparts: int, client: Any
) -> int:
    """Check the collection's ids and texts; return its number of documents.

    Args:
        frames: the documents (a dask dataframe).
        stage_name: the stage that checks, for the messages.
        id_field: the column that must hold unique, non-null ids.
        text_field: the column that must hold a string in every document; ``None``: no text check
            (semantic dedup reads embeddings, not texts).
        nparts: partitions of the shuffle that counts the ids.
        client: the client to compute with.

    Raises:
        InputError: a column is missing, or a text is null or not a string.
        DuplicateIdError: an id is null or shared by two or more documents.
    """
    missing = [c for c in (text_field, id_field) if c is not None and c not in frames.columns]
    if missing:
        msg = (
            f"Stage {stage_name!r}: the documents lack column(s) {missing} (they have {list(frames.columns)}). "
            "Run AddId(id_field=...) before deduplication, or pass the right text_field / id_field."
        )
        raise InputError(msg)
    ids = frames[id_field]
    counts = ids.value_counts(split_out=nparts)  # a shuffle of the ids alone
    repeated = counts[counts > 1]
    meta = empty_frame(frames._meta, {id_field: id_field, _VALUE: "str", _COUNT: "int64"})
    wanted = [frames.shape[0], ids.isna().sum(), repeated.shape[0]]
    if text_field is not None:
        wanted.append(frames.map_partitions(first_bad_text, id_field, text_field, meta=meta))
    rows, null_ids, repeated_ids, *found = client.compute(wanted, sync=True)
    bad = found[0] if found else meta
    where = f"Stage {stage_name!r}: column {id_field!r}"
    if int(null_ids):
        raise DuplicateIdError(f"{where} is null in {int(null_ids)} of {int(rows)} documents. Fix: {_ID_FIX}.")
    if int(repeated_ids):
        top = _host(client.compute(repeated.nlargest(1), sync=True).reset_index())
        msg = (
            f"{where} must hold a unique id per document, but {int(repeated_ids)} ids are shared by several "
            f"documents; e.g. id {_scalar(top.iloc[0, 0])!r} is in {int(top.iloc[0, 1])} rows. Removal drops documents "
            f"by id, so it would drop unique documents too. Fix: {_ID_FIX}."
        )
        raise DuplicateIdError(msg)
    bad = _host(bad)
    if len(bad):
        msg = (
            f"Stage {stage_name!r}: column {text_field!r} must hold a string in every document, but "
            f"{int(bad[_COUNT].sum())} of {int(rows)} documents hold something else; the first is document "
            f"{_scalar(bad.iloc[0, 0])!r}, "
            f"holding {bad.iloc[0][_VALUE]}. Fix: drop those documents (or fill their text) before "
            f"deduplication, e.g. with Filter(lambda text: isinstance(text, str), filter_field={text_field!r}) "
            "in a pipeline that writes the input."
        )
        raise InputError(msg)
    return int(rows)
