"""``DocumentJoiner``: joins the segments of each document back together (NeMo Curator's stage)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.utils.columns import require_columns, with_column_dtype
from curator_dask.tasks import DocumentBatch

__all__ = ["DocumentJoiner"]


@dataclass
class DocumentJoiner(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Joins rows with the same document id into one, in segment order: ``DocumentSplitter`` undone.

    Every other column keeps its first value (in segment order). With ``max_length``, segments are
    joined only while the joined length (``length_field`` values plus one separator per join)
    stays within it, so a document may become several rows, renumbered from 0 in
    ``segment_id_field``, each with its length in ``length_field``. Rows come out ordered by
    document id. Only segments within one batch are joined: keep a document's segments together.

    Args:
        separator: put between joined segments.
        text_field: the text column.
        segment_id_field: the column giving the order of a document's segments.
        document_id_field: the column whose equal values make one document (no nulls).
        drop_segment_id_field: drop ``segment_id_field`` from the output.
        max_length: the longest joined document; needs ``length_field``.
        length_field: the column with each segment's length; needs ``max_length``.
    """

    separator: str = "\n\n"
    text_field: str = "text"
    segment_id_field: str = "segment_id"
    document_id_field: str = "id"
    drop_segment_id_field: bool = True
    max_length: int | None = None
    length_field: str | None = None
    name: str = "document_joiner"

    def __post_init__(self) -> None:
        # NeMo Curator's wording, which these two checks' callers may match on.
        if self.max_length is not None and self.length_field is None:
            msg = "max_length is specified but length_field is not: pass DocumentJoiner(length_field=<column>) too"
            raise ConfigError(msg)
        if self.max_length is None and self.length_field is not None:
            msg = "length_field is specified but max_length is not: pass DocumentJoiner(max_length=<int>) too"
            raise ConfigError(msg)

    def inputs(self) -> tuple[list[str], list[str]]:
        required = [self.text_field, self.segment_id_field, self.document_id_field]
        return ["data"], required + ([self.length_field] if self.length_field is not None else [])

    def outputs(self) -> tuple[list[str], list[str]]:
        columns = [self.text_field, self.document_id_field]
        if not self.drop_segment_id_field:
            columns.append(self.segment_id_field)
        return ["data"], columns + ([self.length_field] if self.length_field is not None else [])

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        if df.empty:
            return batch
        require_columns(self.name, batch, df, self.inputs()[1], "the joiner's field")
        self._check_ids(batch, df)
        ordered = df.sort_values([self.document_id_field, self.segment_id_field], kind="stable")
        joined = self._join_all(ordered) if self.max_length is None else self._join_bounded(ordered)
        joined[self.text_field] = with_column_dtype(joined[self.text_field], df[self.text_field])
        if self.drop_segment_id_field:
            joined = joined.drop(columns=self.segment_id_field)
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=joined, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )

    def _check_ids(self, batch: DocumentBatch, df: pd.DataFrame) -> None:
        # NeMo's groupby drops rows without an id; here that would lose text, so it is an error.
        nulls = df[self.document_id_field].isna()
        if nulls.any():
            rows = np.flatnonzero(nulls.to_numpy())[:5].tolist()
            msg = (
                f"Stage {self.name!r}: {int(nulls.sum())} segment(s) of task {batch.task_id or '<unset>'} have no "
                f"{self.document_id_field!r} (rows {rows}); every segment needs its document's id. Run AddId "
                "before DocumentSplitter, or pass document_id_field= naming the id column."
            )
            raise InputError(msg)

    def _join_all(self, ordered: pd.DataFrame) -> pd.DataFrame:
        """One row per document: the texts joined, every other column's first value."""
        groups = ordered.groupby(self.document_id_field, sort=True)
        first = groups.first().reset_index()
        texts = ordered[self.text_field].astype(object).map(str).groupby(ordered[self.document_id_field], sort=True)
        first[self.text_field] = texts.agg(self.separator.join).to_numpy(dtype=object)
        return first[[self.document_id_field, *[c for c in ordered.columns if c != self.document_id_field]]]

    def _join_bounded(self, ordered: pd.DataFrame) -> pd.DataFrame:
        """Joins runs of segments whose joined length stays within ``max_length``."""
        assert self.max_length is not None and self.length_field is not None
        ids = ordered[self.document_id_field].to_numpy()
        texts = ordered[self.text_field].to_numpy(dtype=object)
        lengths = ordered[self.length_field].to_numpy()
        sep_len = len(self.separator)
        firsts: list[int] = []
        out_texts: list[str] = []
        out_lengths: list[object] = []
        out_segments: list[int] = []
        for i in range(len(ordered)):
            new_doc = i == 0 or ids[i] != ids[i - 1]
            if not new_doc and out_lengths[-1] + lengths[i] + sep_len <= self.max_length:  # type: ignore[operator]
                out_texts[-1] = out_texts[-1] + self.separator + texts[i]
                out_lengths[-1] = out_lengths[-1] + lengths[i] + sep_len  # type: ignore[operator]
                continue
            out_segments.append(0 if new_doc else out_segments[-1] + 1)
            firsts.append(i)
            out_texts.append(texts[i])
            out_lengths.append(lengths[i])
        joined = ordered.iloc[firsts].reset_index(drop=True)
        joined[self.text_field] = pd.Series(out_texts, dtype=object)
        joined[self.length_field] = out_lengths
        joined[self.segment_id_field] = np.asarray(out_segments, dtype=np.int64)
        return joined
