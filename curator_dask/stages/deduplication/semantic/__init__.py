"""Semantic deduplication on Dask: k-means over embeddings, then similarity within each cluster.

NeMo Curator's names: ``SemanticDeduplicationWorkflow``, ``IdentifyDuplicatesStage`` and
``RankingStrategy``; the work itself is one whole-collection stage,
``SemanticDuplicateIdentification`` (``identification``), built from ``embeddings`` (checks),
``kmeans`` (fit and assignment on the cluster), ``pairwise`` (per-cluster scores) and the
array-module code in ``_arrays`` that CPU and GPU workers share.
"""

from __future__ import annotations

from curator_dask.stages.deduplication.semantic.identification import SemanticDuplicateIdentification
from curator_dask.stages.deduplication.semantic.identify_duplicates import IdentifyDuplicatesStage
from curator_dask.stages.deduplication.semantic.ranking import RankingStrategy
from curator_dask.stages.deduplication.semantic.workflow import SemanticDeduplicationWorkflow

__all__ = [
    "IdentifyDuplicatesStage",
    "RankingStrategy",
    "SemanticDeduplicationWorkflow",
    "SemanticDuplicateIdentification",
]
