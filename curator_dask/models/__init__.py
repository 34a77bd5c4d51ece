"""Models on workers: NeMo Curator's ``ModelInterface`` and the weight staging that model stages share.

Weights are made present on each node once (``setup_on_node``) and loaded from that node's disk by
every worker (``setup``); see :mod:`curator_dask.models.weights`. Nothing here imports torch,
transformers or huggingface_hub at import time.
"""

from __future__ import annotations

from curator_dask.models.base import ModelInterface
from curator_dask.models.weights import (
    hub_cache_dir,
    is_offline,
    local_snapshot,
    save_to_hub_cache,
    stage_snapshot,
)

__all__ = ["ModelInterface", "hub_cache_dir", "is_offline", "local_snapshot", "save_to_hub_cache", "stage_snapshot"]
