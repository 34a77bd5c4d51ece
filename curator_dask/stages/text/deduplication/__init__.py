"""Text deduplication: applying the removal ids of an identification run to the original files."""

from curator_dask.stages.text.deduplication.removal import TextDuplicatesRemovalStage
from curator_dask.stages.text.deduplication.removal_workflow import TextDuplicatesRemovalWorkflow

__all__ = ["TextDuplicatesRemovalStage", "TextDuplicatesRemovalWorkflow"]
