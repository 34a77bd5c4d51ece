"""``DocumentExtractor``: turns one raw record (e.g. a WARC response) into the final document."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["DocumentExtractor"]


class DocumentExtractor(ABC):
    """Takes a record dict from a ``DocumentIterator`` and returns the document dict, or ``None`` to drop it.

    ``None`` means "no document here" (no text left after boilerplate removal, say) and is not
    counted as an error. A record that is broken should raise ``BadInputError``: the iterate-extract
    stage then counts it as a skipped record (or raises, with ``on_error="raise"``).
    """

    @abstractmethod
    def extract(self, record: dict[str, str]) -> dict[str, Any] | None:
        """The document made from ``record``, or ``None`` to leave it out."""
        ...

    @abstractmethod
    def input_columns(self) -> list[str]:
        """The record fields ``extract`` reads."""
        ...

    @abstractmethod
    def output_columns(self) -> list[str]:
        """The fields of the documents ``extract`` returns."""
        ...
