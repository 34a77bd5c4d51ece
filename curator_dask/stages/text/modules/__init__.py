"""Document-level utility stages (NeMo Curator's ``stages.text.modules``)."""

from __future__ import annotations

from curator_dask.stages.text.modules.add_id import AddId

__all__ = ["AddId"]
