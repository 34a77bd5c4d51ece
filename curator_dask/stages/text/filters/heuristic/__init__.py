"""Heuristic document filters of NeMo Curator: string statistics and repetition (no models needed).

As in NeMo Curator, each family has its module, which lists its filters in its ``__all__``:
``heuristic.string`` (characters, lines, words) and ``heuristic.repetition`` (repeated lines,
paragraphs and n-grams). This package re-exports both families. StarCoder's code filters are in
``heuristic.code``; as in NeMo Curator 1.4 this package does not re-export them (``filters`` does).
"""

from curator_dask.stages.text.filters.heuristic import repetition, string
from curator_dask.stages.text.filters.heuristic.repetition import *  # noqa: F403
from curator_dask.stages.text.filters.heuristic.string import *  # noqa: F403

__all__ = repetition.__all__ + string.__all__
__all__.sort()
