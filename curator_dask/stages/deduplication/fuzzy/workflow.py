"""``FuzzyDeduplicationWorkflow``: files in, near-duplicates removed (or listed), files out."""

from __future__ import annotations

from typing import Any

from curator_dask.stages.deduplication.fuzzy.identification import FuzzyDuplicateIdentification
from curator_dask.stages.deduplication.workflow import DeduplicationWorkflow

__all__ = ["FuzzyDeduplicationWorkflow"]


class FuzzyDeduplicationWorkflow(DeduplicationWorkflow):
    """Removes near-duplicate documents (MinHash + LSH + connected components), one kept per group.

    Args:
        seed, char_ngrams, num_bands, minhashes_per_band, bands_per_iteration,
            false_positive_check, jaccard_threshold: see ``FuzzyDuplicateIdentification``
            (NeMo Curator's names and defaults: 42, 24, 20, 13, 5).
        **kwargs: ``DeduplicationWorkflow``'s arguments (``output_path``, ``input_path``, ...).
    """

    def __init__(
        self,
        *,
        seed: int = 42,
        char_ngrams: int = 24,
        num_bands: int = 20,
        minhashes_per_band: int = 13,
        bands_per_iteration: int = 5,
        false_positive_check: bool = False,
        jaccard_threshold: float = 0.8,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.options: dict[str, Any] = {
            "seed": seed,
            "char_ngrams": char_ngrams,
            "num_bands": num_bands,
            "minhashes_per_band": minhashes_per_band,
            "bands_per_iteration": bands_per_iteration,
            "false_positive_check": false_positive_check,
            "jaccard_threshold": jaccard_threshold,
        }
        self.identification_stage(self.id_field or "_")  # check the options now, not after reading

    def identification_stage(self, id_field: str) -> FuzzyDuplicateIdentification:
        return FuzzyDuplicateIdentification(**self.stage_options(id_field), **self.options)
