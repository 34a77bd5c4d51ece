"""Hugging Face model stages: ``TokenizerStage`` (CPU) feeding ``ModelStage`` (GPU by default).

Names resolve lazily, so importing this package loads neither torch nor transformers.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"ModelStage": ".model", "TokenizerStage": ".tokenizer"}

__all__ = ["ModelStage", "TokenizerStage"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
