"""Document modifiers and the ``Modify`` stage, at NeMo Curator's module paths.

``UnicodeReformatter`` lives in ``modifiers.unicode`` (as in NeMo Curator) and is also reachable
from here; it is resolved lazily so that importing the string modifiers does not load ftfy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier
from curator_dask.stages.text.modifiers.modifier import Modify
from curator_dask.stages.text.modifiers.string import (
    BoilerPlateStringModifier,
    LineRemover,
    MarkdownRemover,
    NewlineNormalizer,
    QuotationRemover,
    Slicer,
    UrlRemover,
)

if TYPE_CHECKING:
    from curator_dask.stages.text.modifiers.unicode import UnicodeReformatter

__all__ = [
    "BoilerPlateStringModifier",
    "DocumentModifier",
    "LineRemover",
    "MarkdownRemover",
    "Modify",
    "NewlineNormalizer",
    "QuotationRemover",
    "Slicer",
    "UnicodeReformatter",
    "UrlRemover",
]


def __getattr__(name: str) -> type[UnicodeReformatter]:
    if name == "UnicodeReformatter":
        from curator_dask.stages.text.modifiers.unicode import UnicodeReformatter

        return UnicodeReformatter
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
