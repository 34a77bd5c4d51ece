"""NeMo Curator 1.0 and 1.1's module of the heuristic filters (``filters.heuristic_filter``).

NeMo Curator 1.2 split it into ``heuristic.string``, ``heuristic.repetition``, ``heuristic.code``,
``histogram`` and ``token``, where the filters live as well; this module keeps the older import
path (and the ``_target_`` paths of 1.0/1.1 pipeline files) working.
"""

from curator_dask.stages.text.filters import heuristic
from curator_dask.stages.text.filters.heuristic import *  # noqa: F403
from curator_dask.stages.text.filters.histogram import HistogramFilter
from curator_dask.stages.text.filters.token import TokenCountFilter

__all__ = [*heuristic.__all__, "HistogramFilter", "TokenCountFilter"]  # noqa: PLE0604
__all__.sort()
