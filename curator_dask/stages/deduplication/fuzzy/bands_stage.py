"""``LSHBandsStage``: MinHash and band bucket ids per batch, before the fuzzy collection stage.

The fuzzy workflow computes each batch's band bucket ids right after reading it (fused with the
reader, one batch at a time), so what reaches the whole-collection stage, and what the cluster
holds while it shuffles, is ``[id, _band_0 ...]``: 8 bytes per band and document, not the
documents. The text column is kept only for the documents whose text is not a string (so the
collection stage's check names the first of them and counts them all, as it does when it
hashes the texts itself); every other text becomes ``""``. With the exact-Jaccard check the
texts are kept, since the check compares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication.checks import not_text
from curator_dask.stages.deduplication.fuzzy.lsh import lsh_bands
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher
from curator_dask.tasks import DocumentBatch
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["LSHBandsStage"]


def _series(like: Any, mask: np.ndarray) -> Any:
    """A host boolean mask as a series of ``like``'s library and index (for ``where``)."""
    if is_cudf_frame(like):
        import cudf

        return cudf.Series(mask, index=like.index)
    return pd.Series(mask, index=like.index)


@dataclass
class LSHBandsStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """One batch's ``[id_field, text_field, _band_0, ...]`` (see the module docstring).

    Args:
        id_field: the id column.
        text_field: the text column.
        hasher: the MinHash signatures' hasher (``FuzzyDuplicateIdentification.hasher``).
        minhashes_per_band: signature values per band.
        keep_text: keep every text (for the exact-Jaccard check), not only those that are not strings.
    """

    id_field: str
    text_field: str
    hasher: MinHasher
    minhashes_per_band: int
    keep_text: bool = False
    name: str = "minhash_lsh_bands"

    def inputs(self) -> tuple[list[str], list[str]]:
        # no required columns: a batch lacking one is passed on as it is, so that the collection
        # stage's check refuses it on the driver with the message it always gives (not a worker error)
        return ["data"], []

    def process(self, task: DocumentBatch) -> DocumentBatch:
        df = task.data if is_cudf_frame(task.data) else task.to_pandas()
        if self.id_field not in df.columns or self.text_field not in df.columns:
            return task
        texts = df[self.text_field]
        bad = not_text(texts)
        if bad.any():  # hashed as "" here; the collection stage's check then refuses them by name
            df = df.assign(**{self.text_field: texts.where(_series(texts, ~bad), "")})
        out = lsh_bands(df, self.id_field, self.text_field, self.hasher, self.minhashes_per_band)
        kept = texts if self.keep_text else texts.where(_series(texts, bad), "")
        out[self.text_field] = kept.reset_index(drop=True)
        return DocumentBatch(
            dataset_name=task.dataset_name, data=out, _metadata=task._metadata, _stage_perf=task._stage_perf
        )
