"""Column checks and dtype keeping shared by the splitter and the joiner."""

from __future__ import annotations

from typing import Any

import pandas as pd

from curator_dask.errors import InputError
from curator_dask.tasks import DocumentBatch

__all__ = ["require_columns", "with_column_dtype"]


def require_columns(stage: str, batch: DocumentBatch, df: pd.DataFrame, columns: list[str], option: str) -> None:
    """Raise an ``InputError`` naming the stage, the task and the columns the batch lacks."""
    missing = [c for c in columns if c not in df.columns]
    if not missing:
        return
    files = batch._metadata.get("source_files")
    where = f"task {batch.task_id or '<unset>'}" + (f", files {files}" if files else "")
    msg = (
        f"Stage {stage!r}: the batch ({where}) has no column {missing}; its columns are "
        f"{[str(c) for c in df.columns]}. Pass {option}= naming a column the data has."
    )
    raise InputError(msg)


def with_column_dtype(values: Any, like: pd.Series) -> pd.Series:
    """``values`` as a Series in ``like``'s dtype when that is a string dtype (``str`` stays ``str``)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(like.dtype, pd.StringDtype):
        return series.astype(like.dtype)
    return series
