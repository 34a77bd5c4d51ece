"""Unicode repair modifiers (ftfy is imported only when ``UnicodeReformatter`` is first used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curator_dask.stages.text.modifiers.unicode.unicode_reformatter import UnicodeReformatter

__all__ = ["UnicodeReformatter"]


def __getattr__(name: str) -> type[UnicodeReformatter]:
    if name == "UnicodeReformatter":
        from curator_dask.stages.text.modifiers.unicode.unicode_reformatter import UnicodeReformatter

        return UnicodeReformatter
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
