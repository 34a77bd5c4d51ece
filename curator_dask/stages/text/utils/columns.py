"""Column checks and dtype keeping shared by the text stages (modifiers, splitter, joiner)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from curator_dask.errors import InputError
from curator_dask.tasks import DocumentBatch

__all__ = ["require_columns", "with_column_dtype"]


def require_columns(stage: str, batch: DocumentBatch, df: pd.DataFrame, columns: list[str], option: str) -> None:
    """Raise an ``InputError`` naming the stage, the task, its files and the columns the batch lacks.

    Args:
        stage: the stage's name.
        batch: the task (for its id and source files).
        df: the batch's frame as the stage sees it (a chain may have added columns).
        columns: the columns needed.
        option: the argument that names them, for the fix (``"text_field"``).
    """
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
    """``values`` in ``like``'s dtype when that is a string dtype and the values are all text.

    Text stages build their strings as Python objects, so a ``str`` / ``string[pyarrow]`` column
    would otherwise come back as ``object``. Values that are not all strings (a length, a list)
    keep their own dtype: casting would turn them into text.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if not isinstance(like.dtype, pd.StringDtype) or series.dtype == like.dtype:
        return series
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return series
    return series.astype(like.dtype)
