"""Line-level string filters of NeMo Curator (``heuristic/string.py``), vectorised per batch.

NeMo splits a document into non-blank lines (``get_sentences``) and tests each stripped line; the
batch paths count the same lines with one RE2 pass per pattern over the whole column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from curator_dask.stages.text.filters.heuristic._base import BoundedFilter, ratio
from curator_dask.stages.text.filters.heuristic._batch import TextColumn, text_column
from curator_dask.stages.text.filters.heuristic._constants import (
    BULLETS,
    ELLIPSIS_MARKS,
    END_MARKS,
    PATTERN_BULLET_FIRST_LINE,
    PATTERN_BULLET_NEXT_LINE,
    PATTERN_ELLIPSIS_LINE,
    PATTERN_END_MARK_LINE,
    PATTERN_NONBLANK_LINE,
)
from curator_dask.stages.text.filters.heuristic._text_utils import get_sentences

__all__ = ["BulletsFilter", "EllipsisFilter", "PunctuationFilter"]

_NAN = float("nan")
_ELLIPSIS_MARKS = tuple(ELLIPSIS_MARKS)


def _lines_count(col: TextColumn) -> np.ndarray:
    return col._view("nonblank_lines", lambda: col.count_regex(PATTERN_NONBLANK_LINE))


class _LineRatioFilter(BoundedFilter):
    """A ratio over a document's non-blank lines; NaN (dropped) when it has none."""

    def _lines(self, text: str) -> list[str]:
        return self.sentences if self.sentences is not None else get_sentences(text)

    def _count_lines(self, lines: list[str]) -> int:
        raise NotImplementedError

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        raise NotImplementedError

    def score_document(self, text: str) -> float:
        lines = self._lines(text)
        return self._count_lines(lines) / len(lines) if lines else _NAN

    def score_batch(self, texts: pd.Series) -> pd.Series:
        if self.sentences is not None:  # pre-set lines apply to every document: the loop honours them
            return super().score_batch(texts)
        col = text_column(texts)
        return self._series(ratio(self._count_batch(col), _lines_count(col), _NAN), texts)


class BulletsFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines start with a bullet (Gopher)."""

    def __init__(self, max_bullet_lines_ratio: float = 0.9) -> None:
        super().__init__()
        self._max = max_bullet_lines_ratio
        self._name = "bullet_ratio"

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if line.strip()[:1] in BULLETS)

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        first = pc.match_substring_regex(col.arrow, PATTERN_BULLET_FIRST_LINE).to_numpy(zero_copy_only=False)
        return col.count_regex(PATTERN_BULLET_NEXT_LINE) + first


class PunctuationFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines lack an end mark (C4)."""

    def __init__(self, max_num_sentences_without_endmark_ratio: float = 0.85) -> None:
        super().__init__()
        self._max = max_num_sentences_without_endmark_ratio
        self._name = "punctuation"

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if not line.strip().endswith(END_MARKS))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return _lines_count(col) - col.count_regex(PATTERN_END_MARK_LINE)


class EllipsisFilter(_LineRatioFilter):
    """Drops documents where more than the cutoff share of lines end with an ellipsis (C4)."""

    def __init__(self, max_num_lines_ending_with_ellipsis_ratio: float = 0.3) -> None:
        super().__init__()
        self._max = max_num_lines_ending_with_ellipsis_ratio
        self._name = "ellipsis"

    def _count_lines(self, lines: list[str]) -> int:
        return sum(1 for line in lines if line.strip().lower().endswith(_ELLIPSIS_MARKS))

    def _count_batch(self, col: TextColumn) -> np.ndarray:
        return col.count_regex(PATTERN_ELLIPSIS_LINE)
