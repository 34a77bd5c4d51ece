"""NeMo Curator's code filters (StarCoder); they live in ``code.code``, NeMo Curator's module."""

from curator_dask.stages.text.filters.heuristic.code import code
from curator_dask.stages.text.filters.heuristic.code.code import *  # noqa: F403

__all__ = list(code.__all__)
