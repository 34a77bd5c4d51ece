"""NeMo Curator 1.0's module of the code filters (``filters.code``).

NeMo Curator 1.2 moved them to ``heuristic.code``, where they live here as well; this module keeps
the older import path (and ``_target_`` paths of 1.0 pipeline files) working.
"""

from curator_dask.stages.text.filters.heuristic import code
from curator_dask.stages.text.filters.heuristic.code import *  # noqa: F403

__all__ = list(code.__all__)
