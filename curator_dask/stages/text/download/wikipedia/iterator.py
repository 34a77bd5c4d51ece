"""``WikipediaIterator``: the articles of a MediaWiki XML dump (``.xml.bz2``), streamed page by page."""

from __future__ import annotations

import bz2
import codecs
import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from curator_dask.stages.text.download.base import DocumentIterator
from curator_dask.stages.text.download.base.iterator import SkippedRecord

__all__ = ["WikipediaIterator"]

logger = logging.getLogger(__name__)

_MAIN_NAMESPACE = "0"


class WikipediaIterator(DocumentIterator):
    """Yields one record per article of a dump: pages of the main namespace that are not redirects.

    Other namespaces (talk, user, template pages), redirects and pages without text are left out,
    as in NeMo Curator. A ``<page>`` without its title, namespace or id is malformed: it is yielded
    as a ``SkippedRecord``, so the stage counts it. A dump cut off midway (a truncated download)
    ends the file with the articles read so far, which the stage reports as a skipped file.

    Args:
        language: the wiki's language code, for the article URLs (``https://<language>.wikipedia.org``).
        log_frequency: log progress every this many pages.
    """

    def __init__(self, language: str = "en", log_frequency: int = 1000) -> None:
        super().__init__()
        self._language = language
        self._log_frequency = log_frequency
        self._counter = 0

    def iterate(self, file_path: str) -> Iterator[dict[str, Any] | SkippedRecord]:  # type: ignore[override]
        """The articles of ``file_path``: ``title``, ``id``, ``url``, ``language``, ``source_id``, ``raw_content``."""
        self._counter = 0
        source_id = os.path.basename(str(file_path))
        with bz2.BZ2File(filename=file_path) as compressed:
            text = codecs.getreader("utf-8")(compressed)
            for _event, element in ET.iterparse(text, events=("end",)):
                if not element.tag.endswith("page"):
                    continue
                position = self._counter
                self._counter += 1
                if self._log_frequency and self._counter % self._log_frequency == 0:
                    logger.debug("read %d pages of %s", self._counter, file_path)
                record = self._article(element, element.tag[: -len("page")], position, source_id)
                element.clear()  # keeps memory flat over a dump of millions of pages
                if record is not None:
                    yield record

    def _article(
        self, page: ET.Element, namespace: str, position: int, source_id: str
    ) -> dict[str, Any] | SkippedRecord | None:
        def text_of(parent: ET.Element | None, tag: str) -> str | None:
            child = parent.find(f"./{namespace}{tag}") if parent is not None else None
            return child.text if child is not None else None

        title, ns, page_id = text_of(page, "title"), text_of(page, "ns"), text_of(page, "id")
        if not (title and ns and page_id):
            missing = [name for name, value in (("title", title), ("ns", ns), ("id", page_id)) if not value]
            return SkippedRecord(f"<page> without {', '.join(missing)}", position)
        if ns != _MAIN_NAMESPACE or page.find(f"./{namespace}redirect") is not None:
            return None
        raw_content = text_of(page.find(f"./{namespace}revision"), "text")
        if raw_content is None:
            return None
        return {
            "title": title,
            "id": page_id,
            "url": f"https://{self._language}.wikipedia.org/wiki/{quote(title)}",
            "language": self._language,
            "source_id": source_id,
            "raw_content": raw_content,
        }

    def output_columns(self) -> list[str]:
        return ["title", "id", "url", "language", "source_id", "raw_content"]
