"""UnicodeReformatter's pass-through of texts that need no repair gives exactly ftfy's output."""

from __future__ import annotations

import random

import ftfy
import pandas as pd
import pytest
from ftfy import TextFixerConfig

from curator_dask.examples.corpus import EDGE_CASES, MARKUP, documents
from curator_dask.stages.text.modifiers.unicode import UnicodeReformatter
from curator_dask.stages.text.modifiers.unicode._unchanged import unchanged_test

# Each is something ftfy changes, or nearly does, placed where the whole-text test could miss it.
TRICKY = [
    "plain ASCII text\nover two lines\n",
    "caf\u00c3\u00a9 au lait",  # UTF-8 read as Latin-1
    "first line\n\u00c3 second line starts with the anchored mojibake",
    "\u00c3 at the very start",
    "ends with \u00c3\n\u00c3 ",
    "the word\n\u00c9\u20ac straddles a line break",
    "an &amp; entity, &eacute; and a bare & sign",
    "markup <b>first</b>\nthen &amp; on a later line",
    "bold \x1b[31mred\x1b[0m text",
    "C1 control \x85 and \x9d here",
    "lone surrogate \ud83d here and a pair \ud83d\ude00",
    "controls \x00\x07\x0b\x7f\u200b\ufeff\ufff9 removed",
    "tab\tform feed\x0c carriage\r\nreturn kept",
    "\u201ccurly\u201d quotes, \ufb01 ligature, \uff21 wide",
    "\u0152 alone, \u0153\n and \u00d7 \u00b2 and \u221a\u00b1 and \u0432\u0402 and \u0101\u20ac",
    "na\u00efve r\u00e9sum\u00e9 \u2014 na\u00efvet\u00e9 \u2019s fine \u00a9 2024",
    "",
    "\n\n",
]

# Characters ftfy's mojibake patterns are made of, and a few plain ones, for random texts.
ALPHABET = (
    "aZ .,!?\n\t&;#<>\x1b[m\u00c3\u00c2\u00a0\u00a9\u00ae\u00e9\u00c9\u20ac"
    "\u201c\u201d\u2019\u0152\u00b0\u00b2\u00d7\u221a\u0432\u0402\x85\u2014"
)


def _reference(texts: list[str], config: TextFixerConfig) -> list[str]:
    return [ftfy.fix_text(t, config=config) for t in texts]


@pytest.mark.parametrize(
    "config",
    [
        UnicodeReformatter().config,
        TextFixerConfig(),
        UnicodeReformatter(unescape_html=False, fix_encoding=False).config,
    ],
    ids=["nemo", "ftfy-default-no-fast-path", "no-html-no-encoding"],
)
def test_batch_and_document_paths_equal_ftfy_on_tricky_and_random_texts(config: TextFixerConfig) -> None:
    rng = random.Random(7)
    texts = TRICKY + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    modifier = UnicodeReformatter(config=config)
    expected = _reference(texts, config)
    assert modifier.modify_batch(pd.Series(texts, dtype=object)).tolist() == expected
    assert [modifier.modify_document(t) for t in texts] == expected


def test_generated_corpora_are_repaired_exactly_as_ftfy_does() -> None:
    texts = (
        documents(300, seed=1)["text"].tolist()
        + documents(200, seed=2, mix=EDGE_CASES)["text"].tolist()
        + documents(200, seed=3, mix=MARKUP)["text"].tolist()
    )
    modifier = UnicodeReformatter()
    assert modifier.modify_batch(pd.Series(texts, dtype=object)).tolist() == _reference(texts, modifier.config)


def test_the_test_passes_clean_text_and_refers_the_rest_to_ftfy() -> None:
    unchanged = unchanged_test(UnicodeReformatter().config)
    assert unchanged is not None
    assert unchanged("plain text, caf\u00e9 and \u201cquotes\u201d\nover lines")
    for text in ["caf\u00c3\u00a9", "ok\n\u00c3 x", "a &amp; b", "\x1b[0m", "\x85", "\ud83d", "\x00"]:
        assert not unchanged(text), text
    # A line longer than max_decode_length is cut by ftfy anywhere: always ftfy's business.
    short = UnicodeReformatter(max_decode_length=8).config
    assert unchanged_test(short)("twelve chars") is False  # type: ignore[misc]


@pytest.mark.parametrize("option", ["uncurl_quotes", "fix_latin_ligatures", "fix_character_width", "fix_line_breaks"])
def test_fixers_the_test_does_not_cover_send_every_text_to_ftfy(option: str) -> None:
    config = UnicodeReformatter(**{option: True}).config
    assert unchanged_test(config) is None
    texts = TRICKY
    assert UnicodeReformatter(config=config).modify_batch(pd.Series(texts, dtype=object)).tolist() == _reference(
        texts, config
    )
    assert unchanged_test(UnicodeReformatter(normalization="NFC").config) is None


def test_windowed_badness_search_finds_what_the_full_search_finds() -> None:
    from ftfy.badness import BADNESS_RE

    from curator_dask.stages.text.modifiers.unicode._unchanged import _windowed_badness

    bad = _windowed_badness()
    assert bad is not None  # ftfy's pattern has the shape the windows rely on
    rng = random.Random(11)
    texts = TRICKY + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(4000)]
    assert [bad(t) for t in texts] == [bool(BADNESS_RE.search(t)) for t in texts]
    assert sum(map(bad, texts)) > 100  # the random texts do hold mojibake patterns
