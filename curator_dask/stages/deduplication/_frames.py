"""Helpers the deduplication stages share: the shuffle method, text hashing, the client.

Frame helpers that pandas and cudf need alike live in ``curator_dask.tasks.frames``; these are the
dedup-specific ones: md5 of texts on either library, and the client that holds a collection, so
eager steps (persist, counts) run where the data lives.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import pandas as pd

from curator_dask.errors import ConfigError
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["SHUFFLE_METHODS", "ShuffleMethod", "check_shuffle_method", "client_of", "md5_hex"]

ShuffleMethod = Literal["tasks", "p2p"]
SHUFFLE_METHODS: tuple[str, ...] = ("tasks", "p2p")


def check_shuffle_method(method: str) -> str:
    """Return ``method`` if Dask can shuffle with it, else raise a ``ConfigError`` naming the choices."""
    if method not in SHUFFLE_METHODS:
        msg = f"shuffle_method={method!r} is not supported; pass one of {list(SHUFFLE_METHODS)}"
        raise ConfigError(msg)
    return method


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
