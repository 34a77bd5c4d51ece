"""Text deduplication workflows (NeMo Curator's ``stages.text.deduplication``)."""

from __future__ import annotations

# semantic deduplication (issue 12)
from curator_dask.stages.text.deduplication.semantic import TextSemanticDeduplicationWorkflow

__all__ = ["TextSemanticDeduplicationWorkflow"]
