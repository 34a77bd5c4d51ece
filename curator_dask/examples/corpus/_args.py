"""Argument checks shared by the corpus functions: one message shape for every bad argument."""

from __future__ import annotations

from typing import Any

from curator_dask.errors import ConfigError


def require(call: str, name: str, value: Any, ok: bool, expected: str, *, shown: str | None = None) -> None:
    """Raise ``ConfigError`` naming the call, the argument (``shown``, else its repr) and its allowed values."""
    if not ok:
        raise ConfigError(f"{call}({name}={repr(value) if shown is None else shown}): {name} must be {expected}")


def is_count(value: Any, least: int = 0) -> bool:
    """A whole number (not a bool) of at least ``least``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def is_share(value: Any) -> bool:
    """A real number (not a bool) from 0 to 1."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
