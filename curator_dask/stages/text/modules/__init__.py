"""Document-level utility stages (NeMo Curator's ``stages.text.modules``)."""

from __future__ import annotations

from curator_dask.stages.text.modules.add_id import AddId
from curator_dask.stages.text.modules.joiner import DocumentJoiner
from curator_dask.stages.text.modules.splitter import DocumentSplitter

__all__ = ["AddId", "DocumentJoiner", "DocumentSplitter"]
