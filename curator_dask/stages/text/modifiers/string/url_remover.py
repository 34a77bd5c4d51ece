"""``UrlRemover``: deletes ``http(s)://`` and ``www.`` URLs."""

from __future__ import annotations

import re

import pandas as pd

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier, as_object_strings

__all__ = ["UrlRemover"]

URL_REGEX = re.compile(r"https?://\S+|www\.\S+", flags=re.IGNORECASE)


class UrlRemover(DocumentModifier):
    """Removes every URL (``http://``, ``https://`` or ``www.`` up to the next whitespace)."""

    def modify_document(self, text: str) -> str:
        return URL_REGEX.sub("", text)

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        return as_object_strings(texts).str.replace(URL_REGEX, "", regex=True)
