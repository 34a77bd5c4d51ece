"""Column names and small helpers the tokenizer and model stages share (no torch at import)."""

from __future__ import annotations

import os
import sys
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
    "keep_tensors_on_the_heap",
    "pad_micro_batch",
    "sort_by_length",
]

INPUT_ID_FIELD = "input_ids"
ATTENTION_MASK_FIELD = "attention_mask"
SEQ_ORDER_FIELD = "_curator_seq_order"
TOKEN_LENGTH_FIELD = "_curator_token_length"

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
TENSOR_HEAP_BYTES = 64 * 2**20


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


def keep_tensors_on_the_heap() -> bool:
    """Let glibc serve allocations below 64 MiB from its heap in this process; True when set.

    A Dask nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``
    (``distributed.nanny.pre-spawn-environ``), and setting that turns off glibc's adaptive mmap
    threshold: every allocation over 128 KiB then gets fresh pages from the kernel and gives
    them back when freed. CPU inference allocates and frees megabyte-sized activations in every
    layer, so each one pays page faults: measured 2.5-3x slower than the same process without the
    variable. A 64 MiB mmap threshold puts them back on the reused heap, while the trim threshold
    keeps returning the heap's free top to the system as Dask wants. Not done when
    ``MALLOC_MMAP_THRESHOLD_`` is set (your choice stands) or off glibc Linux.
    """
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, TENSOR_HEAP_BYTES))
