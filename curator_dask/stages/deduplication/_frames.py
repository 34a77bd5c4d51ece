"""The few places where pandas and cudf partitions differ, and cluster helpers shared by dedup.

Dedup code is written once against the pandas-like API; these helpers pick the library from the
frame they are given (cudf is never imported unless the frame is a cudf frame) and find the
client that holds a collection, so eager steps (persist, counts) run where the data lives.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import numpy as np
import pandas as pd

from curator_dask.tasks.document import is_cudf_frame

__all__ = [
    "SHUFFLE_METHODS",
    "ShuffleMethod",
    "array_module",
    "check_shuffle_method",
    "client_of",
    "empty_frame",
    "frame_from_arrays",
    "md5_hex",
    "to_host",
]

ShuffleMethod = Literal["tasks", "p2p"]
SHUFFLE_METHODS: tuple[str, ...] = ("tasks", "p2p")


def check_shuffle_method(method: str) -> str:
    """Return ``method`` if Dask can shuffle with it, else raise a ``ValueError`` naming the choices."""
    if method not in SHUFFLE_METHODS:
        msg = f"shuffle_method={method!r} is not supported; pass one of {list(SHUFFLE_METHODS)}"
        raise ValueError(msg)
    return method


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


def md5_hex(texts: Any) -> Any:
    """The md5 hex digest of every string of ``texts`` (UTF-8), as NeMo Curator's exact dedup hashes.

    md5 of the UTF-8 bytes is stable across library versions and machines, unlike
    ``pandas.util.hash_pandas_object``; cudf computes the same digests on the GPU.
    """
    if is_cudf_frame(texts):
        return texts.hash_values(method="md5")
    values = [hashlib.md5(t.encode("utf-8"), usedforsecurity=False).hexdigest() for t in texts.tolist()]
    return pd.Series(values, index=texts.index, dtype="str")


def client_of(collection: Any) -> Any:
    """The ``distributed.Client`` holding ``collection``'s futures, or the default client."""
    from distributed import default_client, futures_of

    futures = futures_of(collection)
    return futures[0].client if futures else default_client()
