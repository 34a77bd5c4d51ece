"""Fuzzy deduplication: MinHash, LSH bucket shuffles, connected components on the cluster."""

from __future__ import annotations

from curator_dask.stages.deduplication.fuzzy.identification import (
    CURATOR_FUZZY_DUPLICATE_GROUP_FIELD,
    FuzzyDuplicateIdentification,
)
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher
from curator_dask.stages.deduplication.fuzzy.workflow import FuzzyDeduplicationWorkflow

__all__ = [
    "CURATOR_FUZZY_DUPLICATE_GROUP_FIELD",
    "FuzzyDeduplicationWorkflow",
    "FuzzyDuplicateIdentification",
    "MinHasher",
]
