"""``DocumentSplitter``: one row per segment of each document (NeMo Curator's stage and semantics)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.utils.columns import require_columns, with_column_dtype
from curator_dask.tasks import DocumentBatch

__all__ = ["DocumentSplitter"]


@dataclass
class DocumentSplitter(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Splits every document at ``separator``; each segment becomes a row of the same batch.

    The other columns are repeated on every segment's row, and ``segment_id_field`` numbers the
    segments of a document from 0. Consecutive separators give empty segments, as ``str.split``
    does; a document without the separator is one segment. Give documents a unique id before
    splitting (``AddId``) so that ``DocumentJoiner`` can put them back together.

    Args:
        separator: the string to split at (not empty).
        text_field: the column holding the text.
        segment_id_field: the column the segment numbers are written to.
    """

    separator: str
    text_field: str = "text"
    segment_id_field: str = "segment_id"
    name: str = "document_splitter"

    def __post_init__(self) -> None:
        if not isinstance(self.separator, str) or not self.separator:
            msg = f"DocumentSplitter(separator={self.separator!r}): pass a non-empty string to split at, e.g. '\\n\\n'"
            raise ConfigError(msg)

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.text_field]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.text_field, self.segment_id_field]

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        require_columns(self.name, batch, df, [self.text_field], "text_field")
        texts = df[self.text_field]
        pieces = texts.astype(object).str.split(self.separator, regex=False)
        # A missing text (None/NaN) stays one row, as pandas' explode leaves it.
        counts = pieces.map(lambda p: len(p) if isinstance(p, list) else 1).to_numpy(dtype=np.int64)
        rows = np.repeat(np.arange(len(df)), counts)
        out = df.iloc[rows].reset_index(drop=True)
        segments = pieces.explode(ignore_index=True) if len(df) else pd.Series([], dtype=object)
        out[self.text_field] = with_column_dtype(segments.to_numpy(dtype=object), texts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        out[self.segment_id_field] = np.arange(len(rows), dtype=np.int64) - starts
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=out, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )
