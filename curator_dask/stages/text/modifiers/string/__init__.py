"""String modifiers: plain-text rewrites, vectorised over a column where pandas allows."""

from __future__ import annotations

from curator_dask.stages.text.modifiers.string.c4 import BoilerPlateStringModifier
from curator_dask.stages.text.modifiers.string.line_remover import LineRemover
from curator_dask.stages.text.modifiers.string.markdown_remover import MarkdownRemover
from curator_dask.stages.text.modifiers.string.newline_normalizer import NewlineNormalizer
from curator_dask.stages.text.modifiers.string.quotation_remover import QuotationRemover
from curator_dask.stages.text.modifiers.string.slicer import Slicer
from curator_dask.stages.text.modifiers.string.url_remover import UrlRemover

__all__ = [
    "BoilerPlateStringModifier",
    "LineRemover",
    "MarkdownRemover",
    "NewlineNormalizer",
    "QuotationRemover",
    "Slicer",
    "UrlRemover",
]
