"""``ResiliparseExtractor``: Resiliparse's HTML2Text with NeMo Curator's stop-word density rule."""

from __future__ import annotations

from curator_dask.stages.text.download.html_extractors.base import HTMLExtractorAlgorithm, check_fraction

__all__ = ["ResiliparseExtractor"]


class ResiliparseExtractor(HTMLExtractorAlgorithm):
    """Extracts visible text with Resiliparse, then keeps lines with enough stop words.

    Resiliparse's ``extract_plain_text`` walks the DOM of the ``<body>``, skips invisible elements
    (``<script>``, ``<style>``, hidden inputs) and, with ``main_content``, navigation, footers and
    similar blocks. See https://resiliparse.chatnoir.eu/en/latest/man/extract/html2text.html.

    Args:
        required_stopword_density: share of whitespace-split words that must be stop words for a
            line to be kept (not applied to non-space-separated languages).
        main_content: apply Resiliparse's main-content heuristics.
        alt_texts: keep alternative texts of images and similar elements.
    """

    def __init__(
        self,
        required_stopword_density: float = 0.32,
        main_content: bool = True,
        alt_texts: bool = False,
    ) -> None:
        check_fraction(type(self).__name__, "required_stopword_density", required_stopword_density)
        self.required_stopword_density = required_stopword_density
        self.main_content = main_content
        self.alt_texts = alt_texts

    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None:
        """Return the kept lines of the page's visible text (possibly empty)."""
        from resiliparse.extract.html2text import extract_plain_text

        text = extract_plain_text(html, main_content=self.main_content, alt_texts=self.alt_texts)
        return self._filter_by_stopword_density(text.split("\n"), stop_words, language, self.required_stopword_density)
