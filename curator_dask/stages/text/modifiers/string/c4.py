"""``BoilerPlateStringModifier``: C4's removal of policy and cookie boilerplate paragraphs."""

from __future__ import annotations

import re

import pandas as pd

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier, as_object_strings
from curator_dask.stages.text.utils.constants import policy_substrings as POLICY_SUBSTRINGS
from curator_dask.stages.text.utils.text_utils import is_paragraph_indices_in_top_or_bottom_only

__all__ = ["POLICY_SUBSTRINGS", "BoilerPlateStringModifier"]

_LOREM = "lorem ipsum"
_ANY_MARKER = re.compile("|".join(re.escape(s) for s in (_LOREM, *POLICY_SUBSTRINGS)))


class BoilerPlateStringModifier(DocumentModifier):
    """Removes policy boilerplate paragraphs (paragraphs are separated by ``\\n\\n``), as C4 does.

    A document mentioning "lorem ipsum" becomes ``""``. Boilerplate paragraphs (terms of use,
    privacy and cookie notices) are removed when they form one run at the top or the bottom of
    the document; anywhere else the document is kept unchanged.

    Args:
        remove_if_at_top_or_bottom: when False, any boilerplate paragraph empties the document.
    """

    def __init__(self, remove_if_at_top_or_bottom: bool = True) -> None:
        super().__init__()
        self._remove_if_at_top_or_bottom = remove_if_at_top_or_bottom
        self._name = "boilerplate_string_ratio"

    def modify_document(self, text: str) -> str:
        paragraphs = text.split("\n\n")
        boilerplate: list[int] = []
        for idx, paragraph in enumerate(paragraphs):
            lowered = paragraph.strip().lower()
            if _LOREM in lowered:
                return ""
            if any(s in lowered for s in POLICY_SUBSTRINGS):
                if not self._remove_if_at_top_or_bottom:
                    return ""
                boilerplate.append(idx)
        if not boilerplate or not is_paragraph_indices_in_top_or_bottom_only(boilerplate, len(paragraphs)):
            return text
        dropped = set(boilerplate)
        return "\n\n".join(p for idx, p in enumerate(paragraphs) if idx not in dropped)

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        # The markers are ASCII, so a marker inside a lower-cased paragraph is also inside the
        # lower-cased document: documents without any marker are returned as they are, and only
        # the (usually few) candidates take the paragraph-by-paragraph path.
        strings = as_object_strings(texts)
        candidates = strings.str.lower().str.contains(_ANY_MARKER, regex=True)
        result = strings.copy()
        if candidates.any():
            result[candidates] = super().modify_batch(strings[candidates])
        return result
