"""``AegisClassifier`` and ``InstructionDataGuardClassifier``: named here, not built yet.

Both sit on Meta's gated LlamaGuard-7b weights with NVIDIA's PEFT adapters (``peft`` is not a
dependency of this package), so no tiny stand-in can be saved under their repo ids and checked
against NeMo Curator. The names exist so that code importing them gets a clear error on use.
"""

from __future__ import annotations

from typing import Any

from curator_dask.errors import ConfigError

__all__ = ["AegisClassifier", "InstructionDataGuardClassifier"]


class _NotBuilt(ConfigError, NotImplementedError):
    """A NeMo Curator classifier curator_dask does not implement (yet)."""


def _refuse(name: str) -> _NotBuilt:
    return _NotBuilt(
        f"{name} is not available in curator_dask: it needs the gated meta-llama/LlamaGuard-7b weights "
        "and the peft package. Run it with NeMo Curator, or use DistributedDataClassifier with a model "
        "you can load."
    )


class AegisClassifier:
    """NeMo Curator's LlamaGuard-based safety classifier (not built here; raises on use)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _refuse("AegisClassifier")


class InstructionDataGuardClassifier:
    """NeMo Curator's instruction-data poisoning classifier (not built here; raises on use)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _refuse("InstructionDataGuardClassifier")
