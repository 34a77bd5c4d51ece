"""Fixtures for the modifier tests: a seeded corpus of awkward documents.

``make_corpus`` is also used by ``benchmarks/modifiers.py`` (run by hand, not collected).
"""

# Confusable characters (mojibake, full-width letters, CJK punctuation) are the test data here.
# ruff: noqa: RUF001

from __future__ import annotations

import random

import pandas as pd
import pytest

FRAGMENTS: tuple[str, ...] = (
    "Plain sentence about the weather.",
    "The Mona Lisa doesnÃ¢â‚¬â„¢t have eyebrows.",  # mojibake
    "CafÃ© crÃ¨me Ã  la carte",  # latin-1 mojibake
    "ï»¿BOM at the start",
    "&amp; &lt;not html&gt; &eacute;",
    "\x1b[31mred terminal text\x1b[0m",
    "ﬁne ligature and ｆｕｌｌｗｉｄｔｈ",
    "See https://example.com/a?b=c&d=e for details",
    "Visit WWW.Example.org/page or http://x.y/z.",
    "url at end http://end.example",
    "**bold** and *italic* and _under_ and [link](https://md.example/x)",
    "unbalanced ** stars * and _ underscores",
    "nested **bold *with italic* inside**",
    '"a fully quoted line"',
    '"first line ends quoted"',
    '"',
    '""',
    '"""',
    "Advertisement",
    "Share this:",
    "",
    "   ",
    "Terms of Use",
    "This site uses cookies. Privacy Policy",
    "PRIVACY POLICY",
    "Lorem Ipsum dolor sit amet",
    "ΟΔΟΣ ΣΑΣ Ελληνικά",
    "İstanbul and the Kelvin sign \u212a",
    "non-breaking\u00a0space and ideographic\u3000space",
    "中文句子，没有空格。",
    "emoji 👍🏽 and surrogate-free text",
    "START marker text END marker",
)
SEPARATORS: tuple[str, ...] = ("\n", "\n\n", "\n\n\n", "\n\n\n\n", "\r\n", "\r\n\r\n\r\n", "\r\n\n\r\n", " ", "")


def make_corpus(n: int = 200, seed: int = 0) -> list[str]:
    """``n`` documents, each 1 to 8 fragments joined by random line breaks; some wrapped in quotes."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 8))]
        doc = parts[0]
        for part in parts[1:]:
            doc += rng.choice(SEPARATORS) + part
        roll = rng.random()
        if roll < 0.15:
            doc = f'"{doc}"'
        elif roll < 0.2:
            doc = f"  {doc}\n"
        docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def corpus() -> pd.Series:
    """200 generated documents: mojibake, URLs, Markdown, quotes, CRLF runs, boilerplate."""
    return pd.Series(make_corpus(200), index=pd.RangeIndex(100, 300), dtype=object)
