"""``ExactDeduplicationWorkflow``: files in, exact duplicates removed (or listed), files out."""

from __future__ import annotations

from curator_dask.stages.deduplication.exact.identification import ExactDuplicateIdentification
from curator_dask.stages.deduplication.workflow import DeduplicationWorkflow

__all__ = ["ExactDeduplicationWorkflow"]


class ExactDeduplicationWorkflow(DeduplicationWorkflow):
    """Removes documents whose ``text_field`` is identical to another's (md5), keeping the smallest id.

    Takes ``DeduplicationWorkflow``'s arguments. ``run(executor=None)`` returns a
    ``DeduplicationReport``.
    """

    stage_class = ExactDuplicateIdentification
    workflow_name = "exact_deduplication"
