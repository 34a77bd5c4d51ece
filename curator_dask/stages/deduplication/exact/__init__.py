"""Exact deduplication: md5 of the text, a shuffle on it, the smallest id kept per group."""

from __future__ import annotations

from curator_dask.stages.deduplication.exact.identification import (
    EXACT_DUPLICATE_GROUP_FIELD,
    ExactDuplicateIdentification,
)
from curator_dask.stages.deduplication.exact.workflow import ExactDeduplicationWorkflow

__all__ = ["EXACT_DUPLICATE_GROUP_FIELD", "ExactDeduplicationWorkflow", "ExactDuplicateIdentification"]
