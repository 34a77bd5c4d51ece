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

    def identification_stage(self, id_field: str) -> ExactDuplicateIdentification:
        return ExactDuplicateIdentification(
            text_field=self.text_field,
            id_field=id_field,
            perform_removal=self.perform_removal,
            drop_id_field=self.id_field is None,
            shuffle_method=self.shuffle_method,
            total_nparts=self.total_nparts,
        )
