"""``NewlineNormalizer``: collapses runs of three or more line breaks into two."""

from __future__ import annotations

import re

import pandas as pd

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier, as_object_strings

__all__ = ["NewlineNormalizer"]

_UNIX_RUN = re.compile(r"\n{3,}")
_WINDOWS_RUN = re.compile(r"(?:\r\n){3,}")


class NewlineNormalizer(DocumentModifier):
    """Replaces 3+ consecutive ``\\n`` with ``\\n\\n``, then 3+ consecutive ``\\r\\n`` with two."""

    def modify_document(self, text: str) -> str:
        return _WINDOWS_RUN.sub("\r\n\r\n", _UNIX_RUN.sub("\n\n", text))

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        strings = as_object_strings(texts).str
        return strings.replace(_UNIX_RUN, "\n\n", regex=True).str.replace(_WINDOWS_RUN, "\r\n\r\n", regex=True)
