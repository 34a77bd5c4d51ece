"""``JusTextExtractor``: jusText boilerplate removal, NeMo Curator's default HTML algorithm."""

from __future__ import annotations

import logging

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.html_extractors.base import (
    HTMLExtractorAlgorithm,
    check_count,
    check_fraction,
)

__all__ = ["JusTextExtractor"]

logger = logging.getLogger(__name__)


class JusTextExtractor(HTMLExtractorAlgorithm):
    """Keeps the paragraphs jusText classifies as content.

    jusText splits the page into blocks at block-level tags, drops ``<script>``/``<style>``/header
    content, classifies each block from its length, link density and stop-word density (bad, short,
    near-good, good), then revises short and near-good blocks from their neighbours, since content
    clusters together, as boilerplate does. See https://corpus.tools/wiki/Justext/Algorithm.

    Args:
        length_low: blocks shorter than this many characters are "short".
        length_high: blocks longer than this with enough stop words are "good".
        stopwords_low: stop-word density below which a block is "bad".
        stopwords_high: stop-word density from which a long block is "good".
        max_link_density: share of link text above which a block is "bad".
        max_heading_distance: characters after a heading within which good text promotes it.
        no_headings: treat headings as ordinary blocks.
        is_boilerplate: keep only non-boilerplate blocks (``True``) or every block (``False``).
            ``None`` (default) means ``True`` except for non-space-separated languages (Thai,
            Chinese, Japanese, Korean), whose stop words cannot be counted by splitting on spaces.
    """

    def __init__(
        self,
        length_low: int = 70,
        length_high: int = 200,
        stopwords_low: float = 0.30,
        stopwords_high: float = 0.32,
        max_link_density: float = 0.2,
        max_heading_distance: int = 200,
        no_headings: bool = False,
        is_boilerplate: bool | None = None,
    ) -> None:
        owner = type(self).__name__
        for name, count in (
            ("length_low", length_low),
            ("length_high", length_high),
            ("max_heading_distance", max_heading_distance),
        ):
            check_count(owner, name, count)
        for name, fraction in (
            ("stopwords_low", stopwords_low),
            ("stopwords_high", stopwords_high),
            ("max_link_density", max_link_density),
        ):
            check_fraction(owner, name, fraction)
        if is_boilerplate not in (None, True, False):
            msg = f"{owner}: is_boilerplate={is_boilerplate!r} is not allowed. Allowed: True, False or None."
            raise ConfigError(msg)
        self.length_low = length_low
        self.length_high = length_high
        self.stopwords_low = stopwords_low
        self.stopwords_high = stopwords_high
        self.max_link_density = max_link_density
        self.max_heading_distance = max_heading_distance
        self.no_headings = no_headings
        self.is_boilerplate = is_boilerplate

    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None:
        """Return the kept paragraphs, or ``None`` when the page cannot be segmented."""
        import justext
        import lxml.sax

        try:
            dom = justext.core.preprocessor(justext.core.html_to_dom(html))
            maker = justext.core.ParagraphMaker()
            lxml.sax.saxify(dom, maker)
        except Exception as e:  # any parser failure on web markup drops the page, not the run
            logger.debug("jusText could not segment a page into paragraphs: %s: %s", type(e).__name__, e)
            return None
        paragraphs = maker.paragraphs

        justext.core.classify_paragraphs(
            paragraphs,
            stop_words,
            self.length_low,
            self.length_high,
            self.stopwords_low,
            self.stopwords_high,
            self.max_link_density,
            self.no_headings,
        )
        # The context-sensitive pass starts from the context-free class (jusText's own justext()
        # does the same); headings are then revised against their neighbours.
        for paragraph in paragraphs:
            paragraph.class_type = paragraph.cf_class
        justext.core.revise_paragraph_classification(paragraphs, self.max_heading_distance)

        if self._keeps_only_content(language):
            return [p.text for p in paragraphs if not p.is_boilerplate]
        return [p.text for p in paragraphs]

    def _keeps_only_content(self, language: str) -> bool:
        if self.is_boilerplate is not None:
            return self.is_boilerplate
        if language in self.NON_SPACED_LANGUAGES:
            self._warn_once(language, "keeping boilerplate blocks too: stop words cannot be counted without spaces")
            return False
        return True
