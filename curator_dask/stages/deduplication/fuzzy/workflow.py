"""``FuzzyDeduplicationWorkflow``: files in, near-duplicates removed (or listed), files out."""

from __future__ import annotations

from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication.fuzzy.identification import FuzzyDuplicateIdentification
from curator_dask.stages.deduplication.identification import DuplicateIdentificationStage
from curator_dask.stages.deduplication.workflow import DeduplicationWorkflow

__all__ = ["FuzzyDeduplicationWorkflow"]


class FuzzyDeduplicationWorkflow(DeduplicationWorkflow):
    """Removes near-duplicate documents (MinHash + LSH + connected components), one kept per group.

    Takes ``DeduplicationWorkflow``'s arguments (``output_path``, ``input_path``, ...) and, by
    keyword, ``FuzzyDuplicateIdentification``'s own: ``seed``, ``char_ngrams``, ``num_bands``,
    ``minhashes_per_band``, ``bands_per_iteration``, ``false_positive_check``,
    ``jaccard_threshold`` and ``max_cc_iterations``, with that stage's defaults (NeMo Curator's).

    Memory: each batch's band bucket ids are computed as it is read (``LSHBandsStage``), so the
    cluster never holds the documents, only 8 bytes per band and document. With removal, ``run``
    goes over the input twice: the removal ids first (they come back to the driver, 8 bytes per
    removed document for integer ids), then the documents read again and filtered batch by
    batch on their way to the writer (``DropIdsStage``). The input must not change in between.
    """

    stage_class = FuzzyDuplicateIdentification
    workflow_name = "fuzzy_deduplication"

    def batch_stages(self, stage: DuplicateIdentificationStage) -> list[ProcessingStage]:
        """MinHash and band bucket ids per batch: the collection stage then holds ids and bucket ids only."""
        assert isinstance(stage, FuzzyDuplicateIdentification)
        return [stage.bands_stage()]
