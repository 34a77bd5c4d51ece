"""Argument checks shared by ``Score``, ``Filter`` and ``ScoreFilter`` (NeMo Curator's rules).

One filter or callable, or a list of them, each with its own field(s) and flag(s): every argument
becomes a list as long as the list of filters, and the stage name is derived from the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from curator_dask.stages.text.filters.doc_filter import DocumentFilter

__all__ = ["Normalized", "normalize_filters"]

FnType = Literal["score", "filter", "score_filter"]
Normalized = tuple[str, list[Any], list[str], list[bool] | None, list[str | None] | None]


def _filter_name(fn: DocumentFilter | Callable) -> str:
    return fn.name if isinstance(fn, DocumentFilter) else getattr(fn, "__name__", type(fn).__name__)


def _one(value: Any, what: str, kind: type) -> list[Any]:
    """The argument of a single filter, as a one-element list."""
    if isinstance(value, list):
        if len(value) > 1:
            msg = f"More {what} fields than functions provided: {value}"
            raise ValueError(msg)
        return value
    if isinstance(value, kind):
        return [value]
    msg = f"{what} field must be a {kind.__name__} or list of {kind.__name__}: {value!r}"
    raise TypeError(msg)


def _many(value: Any, count: int, what: str, kind: type) -> list[Any]:
    """The argument of ``count`` filters: a list of ``count``, or one value shared by all."""
    if isinstance(value, list):
        # NeMo Curator wraps a one-element list once more here (a list of lists); repeat its element.
        if len(value) == 1:
            value = value * count
        if len(value) != count:
            msg = f"Number of {what} fields must match number of functions ({count}): {value}"
            raise ValueError(msg)
        return value
    if isinstance(value, kind):
        return [value] * count
    msg = f"{what} field must be a {kind.__name__} or list of {kind.__name__}: {value!r}"
    raise TypeError(msg)


def normalize_filters(
    filters: Any,
    input_field: str | list[str] | None,
    invert: bool | list[bool] | None,
    output_field: str | list[str] | None,
    fn_type: FnType,
) -> Normalized:
    """Validate a stage's arguments; returns ``(name, filters, input fields, inverts, output fields)``."""
    input_name = "filter" if fn_type == "filter" else "text"
    if input_field is None:
        msg = f"{input_name}_field cannot be None"
        raise ValueError(msg)
    if output_field is None and fn_type == "score":
        msg = "score_field cannot be None"
        raise ValueError(msg)
    uses_invert = fn_type != "score"
    uses_output = fn_type != "filter"
    if isinstance(filters, list):
        if not filters:
            msg = f"{fn_type}: the list of filters is empty"
            raise ValueError(msg)
        count = len(filters)
        chained = "_".join(_filter_name(f) for f in filters)
        name = f"{fn_type}_chain_of_{chained}" if count > 1 else _filter_name(filters[0])
        if fn_type == "filter" and (isinstance(input_field, str) or len(input_field) == 1):
            msg = f"filter_field must be a list of strings if multiple filters are used: {input_field}"
            raise ValueError(msg)
        inputs = _many(input_field, count, input_name, str)
        inverts = _many(invert, count, "invert", bool) if uses_invert else None
        outputs: list[str | None] | None = None
        if uses_output:
            if output_field is None:
                outputs = [None] * count
            elif isinstance(output_field, str) or len(output_field) == 1:
                msg = f"score_field must be a list of strings if multiple filters are used: {output_field}"
                raise ValueError(msg)
            else:
                outputs = _many(output_field, count, "score", str)
        return name, filters, inputs, inverts, outputs
    if not isinstance(filters, DocumentFilter) and not callable(filters):
        msg = f"{fn_type} takes a DocumentFilter, a callable or a list of them; got {type(filters).__name__}"
        raise TypeError(msg)
    name = filters.name if isinstance(filters, DocumentFilter) else f"{fn_type}_fn"
    inputs = _one(input_field, input_name, str)
    inverts = _one(invert, "invert", bool) if uses_invert else None
    outputs = None
    if uses_output:
        outputs = [None] if output_field is None else _one(output_field, "score", str)
    return name, [filters], inputs, inverts, outputs
