"""NeMo Curator 1.0 and 1.1's module of the heuristic filters (``filters.heuristic_filter``).

NeMo Curator 1.2 split it into ``heuristic.string`` and ``heuristic.repetition``, where the filters
live here as well; this module keeps the older import path (and the ``_target_`` paths of 1.0/1.1
pipeline files) working. Its ``HistogramFilter`` and ``TokenCountFilter`` are not provided.
"""

from curator_dask.stages.text.filters import heuristic
from curator_dask.stages.text.filters.heuristic import *  # noqa: F403

__all__ = list(heuristic.__all__)
