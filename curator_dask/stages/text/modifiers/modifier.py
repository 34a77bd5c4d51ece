"""``Modify``: applies document modifiers (or plain functions) to columns of a ``DocumentBatch``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from curator_dask.errors import ConfigError, ConfigTypeError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier
from curator_dask.stages.text.utils.columns import require_columns, with_column_dtype
from curator_dask.tasks import DocumentBatch

__all__ = ["Modify"]

ModifierLike = DocumentModifier | Callable[..., Any]
_DEFAULT_NAME = "modifier_fn"


@dataclass
class Modify(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Rewrites fields of every document with one modifier or a chain of them.

    Args:
        modifier_fn: a ``DocumentModifier``, a callable, or a list of them applied in order. A
            callable takes the field value (one input field) or the fields as keyword arguments.
        input_fields: one field for every modifier (``"text"``), one field per modifier
            (``["a", "b"]``), or a list of fields per modifier (``[["title", "text"]]``).
        output_fields: ``None`` writes each result back to its (single) input field; a name is used
            for every modifier; a list gives one name (or ``None`` for in place) per modifier.
        name: the stage name; by default the modifier's name, or
            ``modifier_chain_of_<a>_<b>`` for a chain, as in NeMo Curator.

    Modifiers with one input field run through ``DocumentModifier.modify_batch`` (vectorised where
    the modifier supports it); the batch's metadata and performance records are carried over.
    """

    modifier_fn: ModifierLike | list[ModifierLike]
    input_fields: str | list[str] | list[list[str]] = "text"
    output_fields: str | list[str | None] | None = None
    name: str = _DEFAULT_NAME

    def __post_init__(self) -> None:
        self._modifiers = _as_modifier_list(self.modifier_fn)
        self.modifier_fn = self._modifiers  # normalised to a list, as NeMo Curator does
        self._input_fields = _normalize_input_fields(self.input_fields, self._modifiers)
        self._output_fields = _normalize_output_fields(self.output_fields, self._input_fields, self._modifiers)
        if self.name == _DEFAULT_NAME:
            names = [_modifier_name(m) for m in self._modifiers]
            self.name = names[0] if len(names) == 1 else "modifier_chain_of_" + "_".join(names)

    def inputs(self) -> tuple[list[str], list[str]]:
        # A column that an earlier modifier of the chain writes is not required from the input.
        required: set[str] = set()
        produced: set[str] = set()
        for fields, output in zip(self._input_fields, self._output_fields, strict=True):
            required.update(f for f in fields if f not in produced)
            produced.add(output)
        return ["data"], sorted(required)

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], sorted(set(self._output_fields))

    def process(self, task: DocumentBatch) -> DocumentBatch:
        # A shallow copy: new columns never write through to the caller's DataFrame.
        df = task.to_pandas().copy(deep=False)
        for modifier, fields, output in zip(self._modifiers, self._input_fields, self._output_fields, strict=True):
            # Checked per modifier: an earlier modifier of the chain may have created the column.
            require_columns(self.name, task, df, fields, "input_fields")
            df[output] = _apply(modifier, df, fields)
        return DocumentBatch(
            dataset_name=task.dataset_name,
            data=df,
            _metadata=task._metadata,
            _stage_perf=task._stage_perf,
        )


def _apply(modifier: ModifierLike, df: pd.DataFrame, fields: list[str]) -> pd.Series | list[Any]:
    if len(fields) == 1:
        column = df[fields[0]]
        if isinstance(modifier, DocumentModifier):
            return with_column_dtype(modifier.modify_batch(column), column)
        return with_column_dtype(column.apply(modifier), column)
    fn = modifier.modify_document if isinstance(modifier, DocumentModifier) else modifier
    return [fn(**record) for record in df[fields].to_dict("records")]


def _modifier_name(modifier: ModifierLike) -> str:
    if isinstance(modifier, DocumentModifier):
        return modifier.name
    return getattr(modifier, "__name__", type(modifier).__name__)


def _as_modifier_list(modifier_fn: ModifierLike | list[ModifierLike]) -> list[ModifierLike]:
    modifiers = list(modifier_fn) if isinstance(modifier_fn, list) else [modifier_fn]
    if not modifiers:
        msg = "Modify(modifier_fn=[]) needs at least one modifier: pass a DocumentModifier, a callable or a list"
        raise ConfigError(msg)
    bad = [m for m in modifiers if not (isinstance(m, DocumentModifier) or callable(m))]
    if bad:
        msg = f"Modify: each modifier must be a DocumentModifier or a callable, got {bad!r}"
        raise ConfigTypeError(msg)
    return modifiers


def _one_or_each(values: list[Any], count: int, what: str) -> list[Any]:
    """A list of length 1 is reused for every modifier; otherwise it must have one per modifier."""
    if len(values) == 1:
        return values * count
    if len(values) == count:
        return values
    hint = " (for several input fields per modifier, pass a list of lists)" if what == "input fields" else ""
    msg = f"Modify: got {len(values)} {what} for {count} modifiers; give 1 or {count}{hint}"
    raise ConfigError(msg)


def _normalize_input_fields(
    input_fields: str | list[str] | list[list[str]], modifiers: list[ModifierLike]
) -> list[list[str]]:
    """One list of input fields per modifier (NeMo Curator's helper of the same name)."""
    count = len(modifiers)
    if input_fields is None:
        msg = 'Modify: input_fields cannot be None; pass a column name such as "text"'
        raise ConfigError(msg)
    if isinstance(input_fields, str):
        return [[input_fields] for _ in range(count)]
    if isinstance(input_fields, list) and all(isinstance(f, str) for f in input_fields):
        return [[f] for f in _one_or_each(list(input_fields), count, "input fields")]
    if isinstance(input_fields, list) and all(isinstance(f, list) for f in input_fields):
        return [list(group) for group in _one_or_each(list(input_fields), count, "input field groups")]
    msg = f"Modify: input_fields must be a str, a list[str] or a list[list[str]], got {input_fields!r}"
    raise ConfigTypeError(msg)


def _normalize_output_fields(
    output_fields: str | list[str | None] | None, inputs: list[list[str]], modifiers: list[ModifierLike]
) -> list[str]:
    """One output column per modifier; None means the modifier's single input field (in place)."""
    if len(inputs) != len(modifiers):
        msg = f"Modify: got {len(inputs)} input field groups for {len(modifiers)} modifiers"
        raise ConfigError(msg)
    if output_fields is None or isinstance(output_fields, str):
        names: list[str | None] = [output_fields] * len(inputs)
    elif isinstance(output_fields, list):
        names = _one_or_each(list(output_fields), len(inputs), "output fields")
    else:
        msg = f"Modify: output_fields must be None, a str or a list, got {output_fields!r}"
        raise ConfigTypeError(msg)
    resolved = []
    for name, fields in zip(names, inputs, strict=True):
        if name is None and len(fields) != 1:
            msg = (
                f"Modify: a modifier reading several fields {fields} cannot write in place; "
                "pass output_fields= with a column name for it."
            )
            raise ConfigError(msg)
        resolved.append(fields[0] if name is None else name)
    return resolved
