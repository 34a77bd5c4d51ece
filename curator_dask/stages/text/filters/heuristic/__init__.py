"""Heuristic document filters of NeMo Curator: string statistics, repetition and code (no models needed).

As in NeMo Curator, each family has its module, which lists its filters in its ``__all__``:
``heuristic.string`` (characters, lines, words), ``heuristic.repetition`` (repeated lines,
paragraphs and n-grams) and ``heuristic.code`` (StarCoder's code filters). This package
re-exports all three families (NeMo Curator 1.4's re-exports only ``string``'s; the others are a
superset kept for the 1.0/1.1 import paths).
"""

from curator_dask.stages.text.filters.heuristic import code, repetition, string
from curator_dask.stages.text.filters.heuristic.code import *  # noqa: F403
from curator_dask.stages.text.filters.heuristic.repetition import *  # noqa: F403
from curator_dask.stages.text.filters.heuristic.string import *  # noqa: F403

__all__ = code.__all__ + repetition.__all__ + string.__all__
__all__.sort()
