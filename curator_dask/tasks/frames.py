"""The few places where pandas and cudf frames differ, in one module.

Code that handles document frames (the executor's collection stages, the deduplication stages)
is written once against the pandas-like API that pandas and cudf share; these helpers pick the
library from the object they are given. cudf and cupy are never imported unless such an object
is passed in, so ``import curator_dask`` works on a machine without them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "array_module",
    "concat_frames",
    "empty_frame",
    "empty_like",
    "frame_from_arrays",
    "is_cudf_frame",
    "to_host",
]


def is_cudf_frame(data: object) -> bool:
    """True for a cudf DataFrame or Series, checked without importing cudf."""
    return type(data).__module__.split(".")[0] == "cudf" and hasattr(data, "to_pandas")


def concat_frames(frames: list[Any]) -> Any:
    """Concatenate pandas or cudf frames with the library they come from (a fresh range index)."""
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    if is_cudf_frame(frames[0]):
        import cudf

        return cudf.concat(frames, ignore_index=True)
    return pd.concat(frames, ignore_index=True)


def empty_like(frame: Any) -> Any:
    """``frame`` without its rows: the same library, columns and dtypes (a collection's ``meta``)."""
    return frame.iloc[:0]


def array_module(data: Any) -> Any:
    """``numpy`` for pandas frames, series and numpy arrays; ``cupy`` for cudf ones and cupy arrays."""
    if is_cudf_frame(data) or type(data).__module__.split(".")[0] == "cupy":
        import cupy

        return cupy
    return np


def to_host(array: Any) -> np.ndarray:
    """A numpy copy of a numpy or cupy array."""
    return array.get() if hasattr(array, "get") else np.asarray(array)


def frame_from_arrays(like: Any, columns: dict[str, Any]) -> Any:
    """A frame of the same library as ``like`` holding ``columns`` (arrays or series)."""
    if is_cudf_frame(like):
        import cudf

        return cudf.DataFrame(columns)
    return pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in columns.items()})


def empty_frame(like: Any, columns: dict[str, Any]) -> Any:
    """An empty frame of ``like``'s library: the ``meta`` of a ``map_partitions`` call.

    Args:
        like: a (meta) frame whose library and column dtypes to follow.
        columns: new column name -> a dtype (``"str"`` for strings), or the name of a column of
            ``like`` whose dtype to copy.
    """
    out = {}
    for name, spec in columns.items():
        if isinstance(spec, str) and spec in like.columns:
            out[name] = like[spec].iloc[:0]
        elif is_cudf_frame(like):
            import cudf

            out[name] = cudf.Series.from_pandas(pd.Series([], dtype=spec))
        else:
            out[name] = pd.Series([], dtype=spec)
    return frame_from_arrays(like, out)
