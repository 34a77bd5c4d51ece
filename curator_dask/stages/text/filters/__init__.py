"""Document filters and the stages that apply them (``Score``, ``Filter``, ``ScoreFilter``).

The heuristic, code, histogram and token-count filters are importable from here too, as in NeMo
Curator 1.0 and 1.1 (``from nemo_curator.stages.text.filters import WordCountFilter``); their own
modules are ``heuristic.string``, ``heuristic.repetition``, ``heuristic.code``, ``histogram`` and
``token``.
"""

from curator_dask.stages.text.filters import heuristic
from curator_dask.stages.text.filters.doc_filter import DocumentFilter
from curator_dask.stages.text.filters.fasttext import FastTextLangId, FastTextQualityFilter
from curator_dask.stages.text.filters.heuristic import *  # noqa: F403
from curator_dask.stages.text.filters.heuristic import code
from curator_dask.stages.text.filters.heuristic.code import *  # noqa: F403
from curator_dask.stages.text.filters.histogram import HistogramFilter
from curator_dask.stages.text.filters.score_filter import Filter, Score, ScoreFilter
from curator_dask.stages.text.filters.token import TokenCountFilter

__all__ = [
    "DocumentFilter",
    "FastTextLangId",
    "FastTextQualityFilter",
    "Filter",
    "HistogramFilter",
    "Score",
    "ScoreFilter",
    "TokenCountFilter",
]
__all__ += heuristic.__all__ + code.__all__
__all__.sort()
