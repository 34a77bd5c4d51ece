"""The modifier configurations the modifier tests and ``benchmarks/modifiers.py`` share.

``MODIFIERS``: configurations whose vectorised ``modify_batch`` must equal the per-document loop
(and whose speed the benchmark measures). ``CASES``: hand-made documents with known outputs under
NeMo Curator's semantics.
"""

# Confusable characters (mojibake, full-width letters, CJK punctuation) are the test data here.
# ruff: noqa: RUF001

from __future__ import annotations

from curator_dask.stages.text.modifiers import (
    BoilerPlateStringModifier,
    DocumentModifier,
    LineRemover,
    MarkdownRemover,
    NewlineNormalizer,
    QuotationRemover,
    Slicer,
    UnicodeReformatter,
    UrlRemover,
)

__all__ = ["CASES", "MODIFIERS"]

MODIFIERS: list[DocumentModifier] = [
    NewlineNormalizer(),
    UrlRemover(),
    MarkdownRemover(),
    QuotationRemover(),
    LineRemover(["Advertisement", "Share this:", "", "a\nb", "(regex?) chars.*"]),
    LineRemover([""]),
    LineRemover([]),
    Slicer(),
    Slicer(left=3, right=-4, strip=False),
    Slicer(left=None, right=40),
    Slicer(left="START", right="END", include_left=False),
    BoilerPlateStringModifier(),
    BoilerPlateStringModifier(remove_if_at_top_or_bottom=False),
    UnicodeReformatter(),
]

CASES: list[tuple[DocumentModifier, str, str]] = [
    (NewlineNormalizer(), "a\n\n\n\nb\n\nc", "a\n\nb\n\nc"),
    (NewlineNormalizer(), "a\r\n\r\n\r\n\r\nb\r\nc", "a\r\n\r\nb\r\nc"),
    (NewlineNormalizer(), "a\r\n\n\r\nb", "a\r\n\n\r\nb"),  # mixed breaks are no run of either kind
    (UrlRemover(), "see https://x.org/a?b=1 and WWW.y.com/z now", "see  and  now"),
    (UrlRemover(), "HTTP://CAPS.example end", " end"),
    (UrlRemover(), "no urls here", "no urls here"),
    (LineRemover(["Advertisement", "Share this:"]), "Title\nAdvertisement\nBody\nShare this:", "Title\nBody"),
    (LineRemover(["Advertisement"]), "Advertisement\nAdvertisement", ""),
    (LineRemover(["Advertisement"]), " Advertisement\nAdvertisement ", " Advertisement\nAdvertisement "),
    (LineRemover([""]), "a\n\nb\n", "a\nb"),
    (LineRemover([]), "a\n\nb", "a\n\nb"),
    (MarkdownRemover(), "**bold** *it* _u_ [t](https://u.rl)", "bold it u https://u.rl"),
    (MarkdownRemover(), "_not\nunderlined_", "_not\nunderlined_"),  # markup never spans lines
    (MarkdownRemover(), "**a\nb**", "a\nb"),  # each "**" is an empty *italic* pair
    (QuotationRemover(), '"quoted text"', "quoted text"),
    (QuotationRemover(), '""', '""'),  # too short
    (QuotationRemover(), '"a"', "a"),
    (QuotationRemover(), '"first"\n"second"', '"first"\n"second"'),
    (QuotationRemover(), '"first\nsecond"', "first\nsecond"),
    (QuotationRemover(), 'no "quotes" around', 'no "quotes" around'),
    (Slicer(), "  padded  ", "padded"),
    (Slicer(left=2, right=-2, strip=False), "0123456789", "234567"),
    (Slicer(left="START", right="END"), "xx START body END yy", "START body END"),
    (Slicer(left="START", right="END", include_left=False, include_right=False), "xx START body END yy", "body"),
    (Slicer(left="START"), "no marker", ""),
    (Slicer(right="END"), "a END b END c", "a END b END"),
    (BoilerPlateStringModifier(), "Privacy Policy\n\nReal content.\n\nMore content.", "Real content.\n\nMore content."),
    (BoilerPlateStringModifier(), "Content.\n\nMore.\n\nTerms of use | Cookie policy", "Content.\n\nMore."),
    (BoilerPlateStringModifier(), "Content.\n\nTerms of use\n\nMore.", "Content.\n\nTerms of use\n\nMore."),
    (BoilerPlateStringModifier(), "Privacy policy\n\nTerms of use", "Privacy policy\n\nTerms of use"),
    (BoilerPlateStringModifier(), "Intro.\n\nlorem ipsum dolor", ""),
    (BoilerPlateStringModifier(remove_if_at_top_or_bottom=False), "Text.\n\nPrivacy Policy", ""),
    (BoilerPlateStringModifier(), "Nothing to see.", "Nothing to see."),
    (UnicodeReformatter(), "The Mona Lisa doesnÃ¢â‚¬â„¢t have eyebrows.", "The Mona Lisa doesn’t have eyebrows."),
    (UnicodeReformatter(), "ﬁne “quotes”", "ﬁne “quotes”"),  # NeMo's defaults keep ligatures and curly quotes
    (UnicodeReformatter(uncurl_quotes=True, fix_latin_ligatures=True), "ﬁne “quotes”", 'fine "quotes"'),
    (UnicodeReformatter(), "&amp; \x1b[31mred\x1b[0m", "& red"),
]
