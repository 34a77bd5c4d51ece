"""Helpers the classifiers share (no torch at import)."""

from __future__ import annotations

from typing import Any

from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD, SEQ_ORDER_FIELD, sort_by_length
from curator_dask.tasks import DocumentBatch

__all__ = ["DEBERTA_TOKENIZER_PADDING_SIDE", "LabelIn", "SortByLengthStage"]

DEBERTA_TOKENIZER_PADDING_SIDE = "right"


class LabelIn:
    """``value in labels``, as a small picklable callable for ``Filter`` (``filter_by``)."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = list(labels)

    def __call__(self, value: Any) -> bool:
        return value in self.labels


class SortByLengthStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Sorts rows by token count (for ``use_existing_tokens``), recording the order to restore."""

    def __init__(self) -> None:
        self.name = "sort_by_length_stage"

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [ATTENTION_MASK_FIELD]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [ATTENTION_MASK_FIELD, SEQ_ORDER_FIELD]

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        if SEQ_ORDER_FIELD in batch.get_columns():
            return batch
        df = batch.to_pandas()
        df = sort_by_length(df, df[ATTENTION_MASK_FIELD].map(sum).tolist())
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=df, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )
