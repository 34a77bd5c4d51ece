"""Loading NeMo Curator's custom-head classifiers (``PyTorchModelHubMixin`` checkpoints) from disk.

Such a repository holds a ``config.json`` (the head's settings plus ``base_model``, the backbone's
repo id) and the whole module's weights. NeMo Curator builds the backbone with
``AutoModel.from_pretrained(base_model)``, which downloads the backbone's weights only to overwrite
them; here the backbone is built from its config alone (the one file staged from ``base_model``)
and every weight comes from the classifier's own checkpoint, loaded strictly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from curator_dask.errors import StageSetupError
from curator_dask.models.weights import local_snapshot, stage_snapshot

__all__ = ["backbone_from_config", "load_weights", "read_config", "stage_backbone_config"]

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def read_config(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``config.json`` of a model folder, as a dict."""
    path = Path(folder) / "config.json"
    if not path.is_file():
        msg = f"Model folder {str(folder)!r} has no config.json; it is not a saved Hugging Face model."
        raise StageSetupError(msg)
    return dict(json.loads(path.read_text()))


def stage_backbone_config(config: dict[str, Any], cache_dir: str | None, token: str | None) -> None:
    """Stage the ``config.json`` of ``config["base_model"]`` (when the checkpoint names one)."""
    base = config.get("base_model")
    if base:
        stage_snapshot(str(base), cache_dir, token, allow_patterns=["config.json"])


def backbone_from_config(base_model: str, cache_dir: str | None = None) -> Any:
    """A randomly initialised ``AutoModel`` with ``base_model``'s architecture (weights come later)."""
    from transformers import AutoConfig, AutoModel

    folder = local_snapshot(base_model, cache_dir)
    return AutoModel.from_config(AutoConfig.from_pretrained(str(folder), local_files_only=True))


def load_weights(module: Any, folder: str | os.PathLike[str]) -> Any:
    """Load a checkpoint's weights into ``module``: every parameter must be there, with its shape."""
    import torch

    for name in _WEIGHT_FILES:
        path = Path(folder) / name
        if path.is_file():
            break
    else:
        msg = f"Model folder {str(folder)!r} holds none of {list(_WEIGHT_FILES)}; it has no weights to load."
        raise StageSetupError(msg)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    result = module.load_state_dict(state, strict=False)
    if result.missing_keys:
        msg = (
            f"Checkpoint {str(path)!r} does not fit {type(module).__name__}: it lacks "
            f"{len(result.missing_keys)} weight(s), e.g. {result.missing_keys[:3]}. Is it the right model?"
        )
        raise StageSetupError(msg)
    return module
