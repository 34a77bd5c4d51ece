"""Embedding stages: ``EmbeddingCreatorStage`` (tokenizer -> embedding model), one embedding column.

Names resolve lazily, so importing this package loads neither torch nor transformers.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "EmbeddingCreatorStage": ".base",
    "EmbeddingModelStage": ".base",
    "SentenceTransformerEmbeddingModelStage": ".base",
}

__all__ = [
    "EmbeddingCreatorStage",
    "EmbeddingModelStage",
    "SentenceTransformerEmbeddingModelStage",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
