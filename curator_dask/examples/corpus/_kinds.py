"""The kinds of generated document: one function each, drawing from one ``random.Random``.

Every maker takes the stream and ``size`` (the target length of prose, in characters; the junk
kinds keep their own lengths). The order of draws inside a maker is part of the data: the seeded
corpora the tests pin depend on it, so change a maker only together with those tests.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from curator_dask.examples.corpus import _words as w

Maker = Callable[[random.Random, int], str]


def sentence(
    r: random.Random,
    lo: int = 6,
    hi: int = 22,
    endings: Sequence[str] = w.RAGGED_ENDINGS,
    words: Sequence[str] = w.WORDS,
) -> str:
    """``lo`` to ``hi`` words, capitalised, ending with one of ``endings``."""
    return " ".join(r.choice(words) for _ in range(r.randint(lo, hi))).capitalize() + r.choice(endings)


def prose(r: random.Random, size: int, *, clean: bool = False, words: Sequence[str] = w.WORDS) -> str:
    """Paragraphs of two to six sentences until ``size`` characters.

    Clean prose ends its sentences with ``.``, ``!`` or ``?`` and parts paragraphs with blank lines;
    ragged prose also leaves sentences unterminated or ends them with a comma, quote or ellipsis,
    and may part paragraphs with single line breaks.
    """
    endings = w.CLEAN_ENDINGS if clean else w.RAGGED_ENDINGS
    paragraphs: list[str] = []
    total = 0
    while total < size:
        paragraph = " ".join(sentence(r, endings=endings, words=words) for _ in range(r.randint(2, 6)))
        paragraphs.append(paragraph)
        total += len(paragraph)
    return ("\n\n" if clean else r.choice(("\n\n", "\n"))).join(paragraphs)


def _length(r: random.Random, size: int) -> int:
    return r.randint(size // 2, size + size // 3)


def _clean_prose(r: random.Random, size: int) -> str:
    return prose(r, _length(r, size), clean=True)


def _ragged_prose(r: random.Random, size: int) -> str:
    return prose(r, _length(r, size))


def _foreign(r: random.Random, size: int) -> str:  # fluent, but German or French
    words = r.choice((w.GERMAN, w.FRENCH))
    return prose(r, _length(r, size), clean=True, words=words)


def _short(r: random.Random, size: int) -> str:
    return sentence(r, endings=w.CLEAN_ENDINGS)


def _link_farm(r: random.Random, size: int) -> str:
    return "\n".join(f"https://example{r.randint(0, 999)}.com/page/{r.randint(0, 10**6)}" for _ in range(40))


def _urls(r: random.Random, size: int) -> str:  # prose followed by links, now and then a pornographic one
    urls = [f"https://www.example{r.randint(1, 9)}.com/path/{r.randint(0, 999)}?q=a%20b&x=(1)" for _ in range(9)]
    if r.random() < 0.3:
        urls.append(w.PORN_URL)
    return prose(r, 300) + " " + " ".join(r.sample(urls, r.randint(1, len(urls))))


def _numbers(r: random.Random, size: int) -> str:
    return " ".join(str(r.randint(0, 10**6)) + r.choice(w.NUMBER_SUFFIXES) for _ in range(80))


def _bullets(r: random.Random, size: int) -> str:
    return "\n".join(f"{r.choice(w.BULLETS)} {sentence(r, 2, 8)}" for _ in range(r.randint(3, 30)))


def _repeated_lines(r: random.Random, size: int) -> str:
    line = sentence(r)
    return "\n".join([line] * r.randint(2, 9) + [sentence(r) for _ in range(r.randint(0, 5))])


def _repeated_paragraphs(r: random.Random, size: int) -> str:
    paragraph = prose(r, 200)
    return "\n\n".join([paragraph, prose(r, 150)] * r.randint(1, 4))


def _repeated_phrase(r: random.Random, size: int) -> str:
    phrase = " ".join(r.choice(w.WORDS) for _ in range(r.randint(2, 6)))
    return " ".join([phrase] * r.randint(3, 30) + [sentence(r)])


def _ellipsis(r: random.Random, size: int) -> str:  # teaser lines: "...", "Read more", trailing blanks
    lines = (sentence(r) + r.choice(w.ELLIPSIS_ENDS) + r.choice(("", " ", "\t")) for _ in range(r.randint(2, 20)))
    return "\n".join(lines)


def _boilerplate(r: random.Random, size: int) -> str:
    return "\n\n".join([prose(r, 300), r.choice(w.BOILERPLATE), prose(r, 200), r.choice(w.BOILERPLATE)])


def _other_scripts(r: random.Random, size: int) -> str:
    return "\n".join(r.choice(w.OTHER_SCRIPTS) for _ in range(r.randint(1, 12)))


_HASHTAG_POOL = (*w.HASHTAGS, *w.WORDS[:20])


def _hashtags(r: random.Random, size: int) -> str:
    return " ".join(r.choice(_HASHTAG_POOL) for _ in range(r.randint(5, 60)))


def _edge(r: random.Random, size: int) -> str:
    return r.choice(w.EDGE_STRINGS)


def _markup(r: random.Random, size: int) -> str:
    """One to eight fragments joined by random line breaks; some quoted whole, some padded."""
    parts = [r.choice(w.FRAGMENTS) for _ in range(r.randint(1, 8))]
    text = parts[0]
    for part in parts[1:]:
        text += r.choice(w.SEPARATORS) + part
    roll = r.random()
    if roll < 0.15:
        return f'"{text}"'
    return f"  {text}\n" if roll < 0.2 else text


MAKERS: dict[str, Maker] = {
    "prose": _clean_prose,
    "ragged_prose": _ragged_prose,
    "foreign": _foreign,
    "short": _short,
    "link_farm": _link_farm,
    "urls": _urls,
    "numbers": _numbers,
    "bullets": _bullets,
    "repeated_lines": _repeated_lines,
    "repeated_paragraphs": _repeated_paragraphs,
    "repeated_phrase": _repeated_phrase,
    "ellipsis": _ellipsis,
    "boilerplate": _boilerplate,
    "other_scripts": _other_scripts,
    "hashtags": _hashtags,
    "edge": _edge,
    "markup": _markup,
}
