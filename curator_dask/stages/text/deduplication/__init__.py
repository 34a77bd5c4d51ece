"""Text deduplication (NeMo Curator's ``stages.text.deduplication``): applying the removal ids of an
identification run to the original files, and semantic deduplication from text."""

from curator_dask.stages.text.deduplication.removal import TextDuplicatesRemovalStage
from curator_dask.stages.text.deduplication.removal_workflow import TextDuplicatesRemovalWorkflow
from curator_dask.stages.text.deduplication.semantic import TextSemanticDeduplicationWorkflow

__all__ = ["TextDuplicatesRemovalStage", "TextDuplicatesRemovalWorkflow", "TextSemanticDeduplicationWorkflow"]
