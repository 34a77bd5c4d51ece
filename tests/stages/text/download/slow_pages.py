"""An extraction algorithm that stalls on pages built to be slow (kept light: the time limit's child imports it)."""

from __future__ import annotations

import re

from curator_dask.stages.text.download.html_extractors import JusTextExtractor

__all__ = ["SLOW_MARK", "SlowOnMark"]

SLOW_MARK = "<!-- pathological -->"


class SlowOnMark(JusTextExtractor):
    """jusText, except on a page carrying ``SLOW_MARK``, where a regular expression backtracks for hours."""

    def extract_text(self, html: str, stop_words: frozenset[str], language: str) -> list[str] | None:
        if SLOW_MARK in html:
            re.match(r"(a+)+$", "a" * 40 + "b")  # inside the re engine's C code: no signal stops it
        return super().extract_text(html, stop_words, language)
