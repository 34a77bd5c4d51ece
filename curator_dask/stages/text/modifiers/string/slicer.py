"""``Slicer``: keeps the part of a document between two indices or two marker strings."""

from __future__ import annotations

import pandas as pd

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier, as_object_strings

__all__ = ["Slicer"]


class Slicer(DocumentModifier):
    """Slices each document by position or by marker substrings.

    Args:
        left: an int starts the slice at that index; a str starts it at the first occurrence of
            that substring (the document becomes ``""`` when it is absent); ``None`` means 0.
        right: an int ends the slice (exclusive) at that index; a str ends it at the last
            occurrence of that substring (``""`` when absent); ``None`` means the end.
        include_left: with a str ``left``, keep the marker itself in the result.
        include_right: with a str ``right``, keep the marker itself in the result.
        strip: strip surrounding whitespace from the result.
    """

    def __init__(
        self,
        left: int | str | None = 0,
        right: int | str | None = None,
        include_left: bool = True,
        include_right: bool = True,
        strip: bool = True,
    ) -> None:
        super().__init__()
        self._left = left
        self._right = right
        self._include_left = include_left
        self._include_right = include_right
        self._strip = strip

    def _start(self, text: str) -> int | None:
        if isinstance(self._left, str):
            found = text.find(self._left)
            if found == -1:
                return None
            return found if self._include_left else found + len(self._left)
        return self._left if isinstance(self._left, int) else 0

    def _stop(self, text: str) -> int | None:
        if isinstance(self._right, str):
            found = text.rfind(self._right)
            if found == -1:
                return None
            return found + len(self._right) if self._include_right else found
        return self._right if isinstance(self._right, int) else len(text)

    def modify_document(self, text: str) -> str:
        start, stop = self._start(text), self._stop(text)
        if start is None or stop is None:  # a marker is missing
            return ""
        result = text[start:stop]
        return result.strip() if self._strip else result

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        if isinstance(self._left, str) or isinstance(self._right, str):
            # Marker positions differ per document: no column-wide slice exists for that.
            return super().modify_batch(texts)
        left = self._left if isinstance(self._left, int) else 0
        right = self._right if isinstance(self._right, int) else None
        result = as_object_strings(texts).str.slice(left, right)
        return result.str.strip() if self._strip else result
