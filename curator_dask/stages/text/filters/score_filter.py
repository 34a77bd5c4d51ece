"""``Score``, ``Filter`` and ``ScoreFilter``: the stages that apply ``DocumentFilter``s to batches.

As in NeMo Curator: ``Score`` adds score columns, ``Filter`` keeps rows by existing columns, and
``ScoreFilter`` does both (writing the scores only when ``score_field`` is given). Each takes one
filter or a list applied in order, and is named after its filter(s). Filters are applied through
their batch methods (``score_batch``/``keep_batch``), so vectorised filters run vectorised; a
``ScoreFilter`` that keeps no scores asks for decisions only (``decide_batch``), which some filters
reach for less. An empty batch is passed on as it is; a batch whose rows are all dropped becomes
an empty batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from curator_dask.errors import InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.filters._normalize import normalize_filters
from curator_dask.stages.text.filters.doc_filter import DocumentFilter
from curator_dask.tasks import DocumentBatch

if TYPE_CHECKING:
    from curator_dask.backends.base import NodeInfo, WorkerMetadata

__all__ = ["Filter", "Score", "ScoreFilter"]


class _FilterStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """What the three stages share: model set-up hooks, column checks and the output batch."""

    _is_abstract_root = True

    def _filters(self) -> list[Any]:
        raise NotImplementedError

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        for fn in self._filters():
            if isinstance(fn, DocumentFilter) and hasattr(fn, "model_check_or_download"):
                fn.model_check_or_download()

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        for fn in self._filters():
            if isinstance(fn, DocumentFilter):
                if hasattr(fn, "load_model"):
                    fn.load_model()
                if hasattr(fn, "load_tokenizer"):
                    fn.load_tokenizer()

    def ray_stage_spec(self) -> dict[str, Any]:
        """NeMo Curator's Ray hint: an actor stage when a filter has a model or tokenizer to load.

        Dask ignores it (every stage's ``setup`` runs once per worker); it is kept for NeMo code
        that reads it.
        """
        requires_setup = any(
            isinstance(fn, DocumentFilter) and (hasattr(fn, "load_model") or hasattr(fn, "load_tokenizer"))
            for fn in self._filters()
        )
        return {"is_actor_stage": requires_setup}

    def _column(self, df: pd.DataFrame, column: str, role: str) -> pd.Series:
        if column not in df.columns:
            msg = (
                f"Stage {self.name!r}: {role} column {column!r} is not in the batch; it has columns "
                f"{[str(c) for c in df.columns]}. Pass {role}_field= one of them."
            )
            raise InputError(msg)
        return df[column]

    @staticmethod
    def _output(batch: DocumentBatch, df: pd.DataFrame) -> DocumentBatch:
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=df, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )


def _scores(fn: DocumentFilter | Callable, texts: pd.Series) -> pd.Series:
    return fn.score_batch(texts) if isinstance(fn, DocumentFilter) else texts.apply(fn)


def _keep(fn: DocumentFilter | Callable, values: pd.Series, invert: bool) -> np.ndarray:
    mask = fn.keep_batch(values) if isinstance(fn, DocumentFilter) else values.apply(fn)
    keep = np.asarray(mask, dtype=bool)
    return ~keep if invert else keep


def _decide(fn: DocumentFilter, texts: pd.Series, invert: bool) -> np.ndarray:
    keep = np.asarray(fn.decide_batch(texts), dtype=bool)
    return ~keep if invert else keep


@dataclass
class Score(_FilterStage):
    """Adds the score(s) of a filter, a callable, or a list of filters as column(s); drops nothing.

    Args:
        score_fn: a ``DocumentFilter`` (its ``score_batch`` is used), a callable on one text, or a list.
        score_field: the column (or one column per filter) the scores go to.
        text_field: the text column (or one per filter).
    """

    score_fn: Callable[[str], Any] | DocumentFilter | list[DocumentFilter]
    score_field: str | list[str]
    text_field: str | list[str] = "text"
    name: str = "score_fn"

    def __post_init__(self) -> None:
        self.name, self.score_fn, self.text_field, _, self.score_field = normalize_filters(  # type: ignore[assignment]
            self.score_fn, self.text_field, None, self.score_field, "score"
        )

    def _filters(self) -> list[Any]:
        return self.score_fn  # type: ignore[return-value]

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.text_field)

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.text_field) + list(self.score_field)

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        if df.empty:
            return batch
        df = df.copy(deep=False)  # never add columns to the input task's frame
        for fn, text_field, score_field in zip(self.score_fn, self.text_field, self.score_field, strict=True):  # type: ignore[arg-type]
            df[score_field] = _scores(fn, self._column(df, text_field, "text")).to_numpy()
        return self._output(batch, df)


@dataclass
class Filter(_FilterStage):
    """Keeps the rows whose existing column(s) pass a filter's ``keep_batch`` (or a callable).

    Args:
        filter_fn: a ``DocumentFilter``, a callable returning True to keep, or a list of them.
        filter_field: the column (one per filter for a list) passed to the filter.
        invert: keep the rows the filter rejects (one flag per filter for a list).
        verbose: accepted for NeMo Curator compatibility.
    """

    filter_fn: Callable | DocumentFilter | list[DocumentFilter]
    filter_field: str | list[str]
    invert: bool | list[bool] = False
    name: str = "filter_fn"
    verbose: bool = False

    def __post_init__(self) -> None:
        self.name, self.filter_fn, self.filter_field, self.invert, _ = normalize_filters(  # type: ignore[assignment]
            self.filter_fn, self.filter_field, self.invert, None, "filter"
        )

    def _filters(self) -> list[Any]:
        return self.filter_fn  # type: ignore[return-value]

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.filter_field)

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.filter_field)

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        if df.empty:
            return batch
        for fn, field, invert in zip(self.filter_fn, self.filter_field, self.invert, strict=True):  # type: ignore[arg-type]
            df = df[_keep(fn, self._column(df, field, "filter"), invert)]
        return self._output(batch, df)


@dataclass
class ScoreFilter(_FilterStage):
    """Scores documents with a filter (or a chain of filters) and keeps those it accepts.

    Args:
        filter_obj: a ``DocumentFilter`` or a list of them, applied in order.
        text_field: the text column (or one per filter).
        score_field: where to write the scores (one per filter for a list); None discards them.
        invert: keep the documents the filter rejects (one flag per filter for a list).
        verbose: accepted for NeMo Curator compatibility.
    """

    filter_obj: DocumentFilter | list[DocumentFilter]
    text_field: str | list[str] = "text"
    score_field: str | list[str] | None = None
    invert: bool | list[bool] = False
    name: str = "score_filter"
    verbose: bool = False

    def __post_init__(self) -> None:
        self.name, self.filter_obj, self.text_field, self.invert, self.score_field = normalize_filters(  # type: ignore[assignment]
            self.filter_obj, self.text_field, self.invert, self.score_field, "score_filter"
        )

    def _filters(self) -> list[Any]:
        return self.filter_obj  # type: ignore[return-value]

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.text_field)

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(self.text_field) + [f for f in self.score_field or [] if f is not None]

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        if df.empty:
            return batch
        writes = any(f is not None for f in self.score_field)  # type: ignore[union-attr]
        if writes:
            df = df.copy(deep=False)  # never add columns to the input task's frame
        for fn, text_field, score_field, invert in zip(
            self.filter_obj, self.text_field, self.score_field, self.invert, strict=True  # type: ignore[arg-type]
        ):
            texts = self._column(df, text_field, "text")
            if score_field is None and isinstance(fn, DocumentFilter):
                keep = _decide(fn, texts, invert)  # no scores wanted: decisions may cost less
            else:
                scores = fn.score_batch(texts)
                if score_field is not None:
                    df[score_field] = scores.to_numpy()
                keep = _keep(fn, scores, invert)
            df = df[keep]
        return self._output(batch, df)
