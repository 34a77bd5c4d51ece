"""Exact and fuzzy deduplication as whole-collection stages, and the workflows that run them.

Layout as in NeMo Curator's ``stages.deduplication``: ``exact/`` (identification, workflow),
``fuzzy/`` (minhash, lsh, buckets_to_edges, connected_components, jaccard, identification,
workflow), ``removal`` and the shared ``identification`` / ``workflow`` bases.
"""

from __future__ import annotations

from curator_dask.stages.deduplication.exact import ExactDeduplicationWorkflow, ExactDuplicateIdentification
from curator_dask.stages.deduplication.fuzzy import (
    FuzzyDeduplicationWorkflow,
    FuzzyDuplicateIdentification,
    MinHasher,
)
from curator_dask.stages.deduplication.identification import CURATOR_DEDUP_ID_STR, DuplicateIdentificationStage
from curator_dask.stages.deduplication.removal import remove_duplicates
from curator_dask.stages.deduplication.workflow import DeduplicationReport, DeduplicationWorkflow

__all__ = [
    "CURATOR_DEDUP_ID_STR",
    "DeduplicationReport",
    "DeduplicationWorkflow",
    "DuplicateIdentificationStage",
    "ExactDeduplicationWorkflow",
    "ExactDuplicateIdentification",
    "FuzzyDeduplicationWorkflow",
    "FuzzyDuplicateIdentification",
    "MinHasher",
    "remove_duplicates",
]
