"""Document filters and the stages that apply them (``Score``, ``Filter``, ``ScoreFilter``)."""

from curator_dask.stages.text.filters.doc_filter import DocumentFilter
from curator_dask.stages.text.filters.score_filter import Filter, Score, ScoreFilter

__all__ = ["DocumentFilter", "Filter", "Score", "ScoreFilter"]
