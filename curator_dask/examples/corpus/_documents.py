"""Generated documents of known kinds, and the mixes of kinds the tests, benchmarks and examples use.

A *kind* names one way of making a document (``KINDS``): clean English ``prose``, junk that
NeMo Curator's English heuristic cascade removes (link farms, bullet lists, repeated lines,
boilerplate, other languages...), ``edge`` strings, or ``markup`` for the modifiers. A *mix* is a
tuple of kind names; each document's kind is drawn uniformly from it, so a name given twice is
drawn twice as often, and a mix of a single name draws nothing (its documents come straight from
the stream). Everything is drawn from one ``random.Random(seed)``: the same arguments give the
same documents on every machine. (Python promises only ``random()``'s sequence across releases; a
release that changed ``choice`` or ``randint`` would show as a failing digest in
``tests/examples/test_corpus.py``.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pandas as pd

from curator_dask.examples.corpus._args import is_count, is_share, require
from curator_dask.examples.corpus._kinds import MAKERS

KINDS: tuple[str, ...] = tuple(MAKERS)
"""Every kind a mix may name."""

WEB_JUNK: tuple[str, ...] = (
    "short", "link_farm", "urls", "numbers", "hashtags", "bullets", "repeated_lines", "repeated_paragraphs",
    "repeated_phrase", "ellipsis", "boilerplate", "foreign", "other_scripts", "markup",
)  # fmt: skip
"""The junk of a web crawl. Most documents of each kind fail a filter of the English cascade or
LangId; long bullet lists, a few links after a page of prose and one boilerplate line in a long
page are borderline, and often kept, as they are in real crawls."""

EDGE_CASES: tuple[str, ...] = (
    "bullets", "urls", "numbers", "repeated_lines", "repeated_paragraphs", "ellipsis", "boilerplate",
    "other_scripts", "hashtags", "repeated_phrase", "edge", *("ragged_prose",) * 11,
)  # fmt: skip
"""Half ragged prose, half awkward cases: for checking filters against each other and NeMo Curator."""

MARKUP: tuple[str, ...] = ("markup",)
"""Only ``markup``: short documents of mojibake, URLs, Markdown, quotes and line-break runs."""


def _check_mix(call: str, name: str, mix: Sequence[str]) -> tuple[str, ...]:
    expected = f"a non-empty tuple of kind names, each one of {', '.join(KINDS)}"
    require(call, name, mix, isinstance(mix, Sequence) and not isinstance(mix, str) and len(mix) > 0, expected)
    unknown = [kind for kind in mix if not isinstance(kind, str) or kind not in MAKERS]
    require(call, name, mix, not unknown, f"{expected} (unknown: {', '.join(map(repr, unknown))})")
    return tuple(mix)


def web_mix(junk: float = 0.3, kinds: Sequence[str] = WEB_JUNK) -> tuple[str, ...]:
    """A mix of clean ``prose`` and ``junk`` (a share, rounded to a whole percent) spread evenly over ``kinds``.

    Raises:
        ConfigError: ``junk`` outside 0..1, or ``kinds`` empty or naming an unknown kind.
    """
    require("web_mix", "junk", junk, is_share(junk), "a share between 0 and 1, such as 0.3")
    kinds = _check_mix("web_mix", "kinds", kinds)
    percent = round(junk * 100)
    step = math.gcd(percent, 100)  # the smallest bag with these shares
    return ("prose",) * ((100 - percent) // step * len(kinds)) + tuple(kinds) * (percent // step)


WEB: tuple[str, ...] = web_mix(0.3)
"""70% clean prose and 30% web junk: the sample corpus of the examples and benchmarks."""


def documents(
    n: int, seed: int = 0, *, mix: Sequence[str] = WEB, size: int = 2000, id_prefix: str = "doc"
) -> pd.DataFrame:
    """``n`` generated documents, each of a kind drawn from ``mix``.

    Args:
        n: how many documents.
        seed: the seed of the one random stream everything is drawn from.
        mix: kind names to draw each document's kind from, uniformly (``WEB``, ``EDGE_CASES``,
            ``MARKUP``, ``web_mix(junk)`` or any tuple of ``KINDS``); with a single name nothing
            is drawn, and the documents come straight from that kind's maker.
        size: prose documents aim at ``size // 2`` to ``4 * size // 3`` characters (and end with
            the paragraph that gets there); junk kinds keep their own lengths.
        id_prefix: ids are ``<id_prefix>-<00000 index>``, in order.

    Returns:
        Columns ``id``, ``text`` and ``kind`` (the truth: what made the text).

    Raises:
        ConfigError: naming the argument that is not one of the allowed values.
    """
    require("documents", "n", n, is_count(n), "a whole number >= 0")
    require("documents", "size", size, is_count(size, 1), "a whole number of characters >= 1")
    mix = _check_mix("documents", "mix", mix)
    rng = random.Random(seed)
    kinds, texts = [], []
    for _ in range(n):
        kind = mix[0] if len(mix) == 1 else rng.choice(mix)
        kinds.append(kind)
        texts.append(MAKERS[kind](rng, size))
    return pd.DataFrame({"id": [f"{id_prefix}-{i:05d}" for i in range(n)], "text": texts, "kind": kinds})
