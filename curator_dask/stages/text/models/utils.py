"""Column names and small helpers the tokenizer and model stages share (no torch at import)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = [
    "ATTENTION_MASK_FIELD",
    "INPUT_ID_FIELD",
    "SEQ_ORDER_FIELD",
    "TOKEN_LENGTH_FIELD",
    "clip_tokens",
    "format_name_with_suffix",
    "pad_micro_batch",
    "sort_by_length",
]

INPUT_ID_FIELD = "input_ids"
ATTENTION_MASK_FIELD = "attention_mask"
SEQ_ORDER_FIELD = "_curator_seq_order"
TOKEN_LENGTH_FIELD = "_curator_token_length"


def format_name_with_suffix(model_identifier: str, suffix: str = "_classifier") -> str:
    """NeMo Curator's stage name for a model: ``"nvidia/domain-classifier"`` -> ``"domain_classifier_classifier"``."""
    return model_identifier.rstrip("/").split("/")[-1].replace("-", "_").lower() + suffix


def clip_tokens(token_o: dict[str, Any], padding_side: Literal["left", "right"] = "right") -> dict[str, Any]:
    """NeMo Curator's helper: cut padded ``input_ids``/``attention_mask`` tensors to the longest
    row's real tokens (in place; a ``metadata`` entry is dropped)."""
    width = int(token_o[ATTENTION_MASK_FIELD].sum(axis=1).max())
    for key in (INPUT_ID_FIELD, ATTENTION_MASK_FIELD):
        token_o[key] = token_o[key][:, :width] if padding_side == "right" else token_o[key][:, -width:]
    token_o.pop("metadata", None)
    return token_o


def pad_micro_batch(
    input_ids: Sequence[Sequence[int]],
    attention_mask: Sequence[Sequence[int]],
    padding_side: Literal["left", "right"] = "right",
    pad_id: int = 0,
) -> dict[str, torch.Tensor]:
    """Tensors for one micro-batch, padded (or clipped) to its longest real sequence.

    Rows may be unpadded token lists of different lengths (our tokenizer's output) or rows padded
    to a fixed length (NeMo Curator's); either way the result is as wide as the longest row's
    real tokens, so short documents never pay for a long document in another micro-batch.
    """
    import torch

    width = max((int(sum(m)) for m in attention_mask), default=0)

    def fit(row: Sequence[Any], fill: int) -> list[Any]:
        row = list(row)
        if padding_side == "right":
            return row[:width] + [fill] * (width - len(row))
        return [fill] * (width - len(row)) + row[max(0, len(row) - width) :]

    return {
        INPUT_ID_FIELD: torch.tensor([fit(r, pad_id) for r in input_ids], dtype=torch.long),
        ATTENTION_MASK_FIELD: torch.tensor([fit(m, 0) for m in attention_mask], dtype=torch.long),
    }


def sort_by_length(df: pd.DataFrame, lengths: Sequence[int] | np.ndarray) -> pd.DataFrame:
    """``df`` with ``_curator_seq_order`` (its row positions) added, rows sorted by ``lengths`` (stable).

    The index travels with the rows, so restoring the order gives back the input's own index.
    """
    out = df.assign(**{SEQ_ORDER_FIELD: np.arange(len(df))})
    return out.iloc[np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")]
