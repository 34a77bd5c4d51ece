"""NeMo Curator's string heuristic filters (``nemo_curator.stages.text.filters.heuristic.string``).

The classes live in three private modules by what they look at (characters, lines, words); this
module is their public home, so imports match NeMo Curator's.
"""

from __future__ import annotations

from curator_dask.stages.text.filters.heuristic._string_chars import (
    BoilerPlateStringFilter,
    NonAlphaNumericFilter,
    NumbersFilter,
    ParenthesesFilter,
    PornographicUrlsFilter,
    SubstringFilter,
    UrlsFilter,
    WhiteSpaceFilter,
)
from curator_dask.stages.text.filters.heuristic._string_lines import BulletsFilter, EllipsisFilter, PunctuationFilter
from curator_dask.stages.text.filters.heuristic._string_words import (
    CommonEnglishWordsFilter,
    LongWordFilter,
    MeanWordLengthFilter,
    SymbolsToWordsFilter,
    WordCountFilter,
    WordsWithoutAlphabetsFilter,
)

__all__ = [
    "BoilerPlateStringFilter",
    "BulletsFilter",
    "CommonEnglishWordsFilter",
    "EllipsisFilter",
    "LongWordFilter",
    "MeanWordLengthFilter",
    "NonAlphaNumericFilter",
    "NumbersFilter",
    "ParenthesesFilter",
    "PornographicUrlsFilter",
    "PunctuationFilter",
    "SubstringFilter",
    "SymbolsToWordsFilter",
    "UrlsFilter",
    "WhiteSpaceFilter",
    "WordCountFilter",
    "WordsWithoutAlphabetsFilter",
]
