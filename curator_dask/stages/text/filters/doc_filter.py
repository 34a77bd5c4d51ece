"""``DocumentFilter``: scores a document and decides whether to keep it; ``BoundedFilter``: by bounds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BoundedFilter", "DocumentFilter", "PerDocumentFilter"]


class DocumentFilter(ABC):
    """Scores one document (``score_document``) and decides from the score (``keep_document``).

    The batch methods are what stages call. Their defaults apply the per-document methods row by
    row; a filter overrides them with vectorised code over the whole column, and must then give
    exactly the same scores and decisions as the per-document methods. ``decide_batch`` is for
    stages that keep no scores: a filter may override it where decisions cost less than scores.

    Filters that need a model also define ``model_check_or_download()`` (run once per node by
    the stage's ``setup_on_node``) and ``load_model()`` (run once per worker by ``setup``).
    """

    def __init__(self) -> None:
        self._name = type(self).__name__
        # NeMo Curator lets callers pre-set these; filters that read them then score from them.
        self._sentences: list[str] | None = None
        self._paragraphs: list[str] | None = None
        self._ngrams: list[tuple[str, ...]] | None = None

    @property
    def name(self) -> str:
        return getattr(self, "_name", type(self).__name__)

    @property
    def sentences(self) -> list[str] | None:
        return getattr(self, "_sentences", None)

    @sentences.setter
    def sentences(self, sentences: list[str] | None) -> None:
        self._sentences = sentences

    @property
    def paragraphs(self) -> list[str] | None:
        return getattr(self, "_paragraphs", None)

    @paragraphs.setter
    def paragraphs(self, paragraphs: list[str] | None) -> None:
        self._paragraphs = paragraphs

    @property
    def ngrams(self) -> list[tuple[str, ...]] | None:
        return getattr(self, "_ngrams", None)

    @ngrams.setter
    def ngrams(self, ngrams: list[tuple[str, ...]] | None) -> None:
        self._ngrams = ngrams

    @abstractmethod
    def score_document(self, text: str) -> Any:
        """The score of one document."""

    @abstractmethod
    def keep_document(self, score: Any) -> bool:
        """Whether a document with this score is kept."""

    def score_batch(self, texts: pd.Series) -> pd.Series:
        """Scores of a column of documents (same index); override to vectorise."""
        return pd.Series([self.score_document(t) for t in texts], index=texts.index, dtype=object).infer_objects()

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        """Boolean keep mask for a column of scores (same index); override to vectorise."""
        return pd.Series([bool(self.keep_document(s)) for s in scores], index=scores.index, dtype=bool)

    def decide_batch(self, texts: pd.Series) -> pd.Series:
        """Boolean keep mask for a column of documents: ``keep_batch(score_batch(texts))``.

        An override must decide exactly as that does; only the scores it skips may differ.
        """
        return self.keep_batch(self.score_batch(texts))


class BoundedFilter(DocumentFilter):
    """A filter that keeps a document when its score lies within ``[_min, _max]`` (None: unbounded).

    The base of the heuristic filters. Where NeMo Curator's code divides by zero (a document with
    no words or no lines where the score needs them) their score is NaN, which no bound accepts,
    so such documents are dropped instead of failing the whole batch.
    """

    _min: float | None = None
    _max: float | None = None

    def keep_document(self, score: float) -> bool:
        return (self._min is None or score >= self._min) and (self._max is None or score <= self._max)

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        values = scores.to_numpy(dtype=np.float64, na_value=np.nan)
        keep = np.ones(len(values), dtype=bool)
        if self._min is not None:
            keep &= values >= self._min
        if self._max is not None:
            keep &= values <= self._max
        return pd.Series(keep, index=scores.index, dtype=bool)

    def _series(self, values: np.ndarray, texts: pd.Series) -> pd.Series:
        """Batch scores as a Series aligned with ``texts`` and named after the filter."""
        return pd.Series(values, index=texts.index, name=self.name)


class PerDocumentFilter(DocumentFilter):
    """A filter scored document by document, after the batch is checked to hold strings only.

    The check (``text_column``) raises an ``InputError`` naming the first missing or non-string
    value, instead of a ``TypeError`` from deep inside ``score_document``.
    """

    def score_batch(self, texts: pd.Series) -> pd.Series:
        from curator_dask.stages.text.utils.text_column import text_column

        values = [self.score_document(t) for t in text_column(texts).texts()]
        return pd.Series(values, index=texts.index, dtype=object).infer_objects()
