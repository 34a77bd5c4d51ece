"""``DocumentModifier``: rewrites the text of one document, or of a whole column at once."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pandas as pd

__all__ = ["DocumentModifier", "as_object_strings"]


def as_object_strings(texts: pd.Series) -> pd.Series:
    """``texts`` with object dtype, so that ``.str`` methods run Python's ``re``.

    pandas' pyarrow-backed string dtypes hand many regular expressions to RE2, whose ``\\S``,
    ``\\w`` and anchors differ from Python's; on object dtype ``.str`` always uses ``re``, which is
    what the per-document methods use, so both paths give the same strings.
    """
    return texts if texts.dtype == object else texts.astype(object)


class DocumentModifier(ABC):
    """Transforms the text of a document (``modify_document``) or of a column (``modify_batch``).

    ``modify_batch`` is what the ``Modify`` stage calls for a single input field. Its default
    applies ``modify_document`` row by row; subclasses override it with vectorised pandas code and
    must return exactly the strings the per-document method returns.

    A modifier that reads several fields takes them as keyword arguments,
    ``modify_document(**{field: value})``; the stage then calls it once per row.
    """

    def __init__(self) -> None:
        self._name = type(self).__name__

    @property
    def name(self) -> str:
        """The modifier's name; ``Modify`` derives its stage name from it."""
        return getattr(self, "_name", type(self).__name__)

    @abstractmethod
    def modify_document(self, *args: Any, **kwargs: Any) -> Any:
        """The modified value of one document."""

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        """The modified values of a column (same index, object dtype); override to vectorise."""
        modify = self.modify_document
        return pd.Series([modify(t) for t in texts], index=texts.index, dtype=object)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
