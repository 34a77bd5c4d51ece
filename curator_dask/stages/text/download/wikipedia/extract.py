"""``WikipediaExtractor``: plain text from an article's wikitext, with mwparserfromhell."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from typing import Any

from curator_dask.errors import BadInputError
from curator_dask.stages.text.download.base import DocumentExtractor
from curator_dask.stages.text.download.wikipedia.namespaces import (
    CATEGORY_NAMES,
    ENGLISH_CATEGORY,
    ENGLISH_MEDIA,
    MEDIA_NAMES,
)

__all__ = ["WikipediaExtractor"]

# Behaviour switches such as __NOTOC__ that survive strip_code.
_MAGIC_WORD = re.compile(r"__[A-Z]*__")
_REMOVED_TAGS = frozenset({"ref", "table"})


def _prefix_pattern(names: Iterable[str]) -> re.Pattern[str]:
    variants = {v for name in names for v in (name, name.replace(" ", "_"))}
    alternatives = "|".join(re.escape(v) for v in sorted(variants, key=lambda v: (-len(v), v)))
    return re.compile(f"^(?:{alternatives}):", flags=re.IGNORECASE)


class WikipediaExtractor(DocumentExtractor):
    """Turns an article's wikitext into text: one paragraph block per section, headings kept.

    Per section (the lead included): links to files and images are removed; category links keep
    only the category's name; ``<ref>`` and ``<table>`` tags are removed; templates, formatting
    and link syntax are stripped (``strip_code``); behaviour switches (``__NOTOC__``) are dropped.
    Sections are joined by blank lines. An article whose wikitext mwparserfromhell cannot process
    raises ``BadInputError`` (a counted skip in the stage).

    Args:
        language: the wiki's language code: picks the local names of the File and Category
            namespaces (``namespaces.py``), next to the English ones.
        media_prefixes: further File/Media namespace names to remove links of.
        category_prefixes: further Category namespace names.
    """

    def __init__(
        self,
        language: str = "en",
        media_prefixes: Iterable[str] = (),
        category_prefixes: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self._language = language
        self._media = _prefix_pattern([*ENGLISH_MEDIA, *MEDIA_NAMES.get(language, ()), *media_prefixes])
        self._category = _prefix_pattern([*ENGLISH_CATEGORY, *CATEGORY_NAMES.get(language, ()), *category_prefixes])

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The article's text with its ``title``, ``id``, ``url``, ``language`` and ``source_id``."""
        raw_content = record.get("raw_content")
        if not raw_content:
            return None
        try:
            text = self._text(raw_content)
        except Exception as error:
            raise BadInputError(
                str(record.get("source_id", "")),
                f"article {record.get('title')!r} (id {record.get('id')}): wikitext could not be parsed: {error!r}",
                fix="report the article upstream; the stage skips and counts it with on_error='skip'",
            ) from error
        return {
            "text": text,
            "title": record["title"],
            "id": record["id"],
            "url": record["url"],
            "language": record["language"],
            "source_id": record["source_id"],
        }

    def _text(self, raw_content: str) -> str:
        import mwparserfromhell

        wikicode = mwparserfromhell.parse(raw_content)
        blocks = []
        for section in wikicode.get_sections(flat=True, include_lead=True, include_headings=True):
            # Edits happen while mwparserfromhell's filters walk the section (as NeMo Curator does
            # it), and a node already gone with its parent raises ValueError: skip it.
            for link in section.ifilter_wikilinks(recursive=True):
                title = str(link.title)
                with contextlib.suppress(ValueError):
                    if self._media.match(title):
                        section.remove(link)
                    elif self._category.match(title):
                        link.text = self._category.sub("", str(link.__strip__()))
            for tag in section.ifilter_tags(matches=lambda node: str(node.tag) in _REMOVED_TAGS, recursive=True):
                with contextlib.suppress(ValueError):
                    section.remove(tag)
            blocks.append(_MAGIC_WORD.sub("", section.strip_code().strip()))
        return "\n\n".join(blocks)

    def input_columns(self) -> list[str]:
        return ["title", "id", "url", "language", "source_id", "raw_content"]

    def output_columns(self) -> list[str]:
        return ["text", "title", "id", "url", "language", "source_id"]
