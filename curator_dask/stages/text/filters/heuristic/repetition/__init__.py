"""NeMo Curator's repetition filters (Gopher): repeated lines, paragraphs and n-grams.

They live in ``repetition.repetition``, NeMo Curator's module; this package re-exports them.
"""

from curator_dask.stages.text.filters.heuristic.repetition import repetition
from curator_dask.stages.text.filters.heuristic.repetition.repetition import *  # noqa: F403

__all__ = list(repetition.__all__)
