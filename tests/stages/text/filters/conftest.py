"""A generated corpus of varied documents, shared by the filter tests (and usable by benchmarks)."""

from __future__ import annotations

import random

import pytest

_VOCABULARY = (
    "the of and to a in is it you that he was for on are with as his they be at one have this from or "
    "had by hot word but what some we can out other were all there when up use your how said an each she "
    "which do their time if will way about many then them write would like so these her long make thing "
    "see him two has look more day could go come did number sound no most people my over know water than "
    "call first who may down side been now find river market council policy research station garden "
    "window history science morning evening student teacher company product service network system "
    "report season village mountain"
)
_WORDS = _VOCABULARY.split()
_BULLETS = ["•", "‣", "◦", "●", "○", "∙", "-", "*"]
_FOREIGN = [
    "这是一个用于测试的中文句子，没有空格。",  # noqa: RUF001
    "Это предложение на русском языке для проверки фильтров.",
    "यह हिंदी में एक परीक्षण वाक्य है जिसमें मात्राएँ हैं।",
    "هذه جملة عربية لاختبار المرشحات.",
    "Ceci est une phrase française avec des accents: é, è, ç, à.",
    "これは日本語のテスト文です。",
]
_BOILERPLATE = [
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "By using this site you agree to our Terms of Use and Privacy Policy.",
    "This website uses cookies to improve your experience.",
    "Read our COOKIE POLICY for details.",
]


def _sentence(r: random.Random, lo: int = 6, hi: int = 22) -> str:
    words = [r.choice(_WORDS) for _ in range(r.randint(lo, hi))]
    return " ".join(words).capitalize() + r.choice([".", ".", ".", "?", "!", "", ",", '"', "..."])


def _prose(r: random.Random, size: int) -> str:
    paragraphs, total = [], 0
    while total < size:
        p = " ".join(_sentence(r) for _ in range(r.randint(2, 6)))
        paragraphs.append(p)
        total += len(p)
    return r.choice(["\n\n", "\n"]).join(paragraphs)


def _special(r: random.Random, kind: int) -> str:
    if kind == 0:
        return "\n".join(f"{r.choice(_BULLETS)} {_sentence(r, 2, 8)}" for _ in range(r.randint(3, 30)))
    if kind == 1:
        urls = [f"https://www.example{r.randint(1, 9)}.com/path/{r.randint(0, 999)}?q=a%20b&x=(1)" for _ in range(9)]
        if r.random() < 0.3:
            urls.append("http://bad-porn-site.example/x")
        return _prose(r, 300) + " " + " ".join(r.sample(urls, r.randint(1, len(urls))))
    if kind == 2:
        return " ".join(str(r.randint(0, 10**6)) + r.choice(["", "%", " dollars", ".5"]) for _ in range(80))
    if kind == 3:
        line = _sentence(r)
        return "\n".join([line] * r.randint(2, 9) + [_sentence(r) for _ in range(r.randint(0, 5))])
    if kind == 4:
        para = _prose(r, 200)
        return "\n\n".join([para, _prose(r, 150)] * r.randint(1, 4))
    if kind == 5:
        ends = ["...", "…", "[...]", "(...)", "[…]", "-»", "Read more", "READ MORE..", "read more.", " ..."]
        return "\n".join(_sentence(r) + r.choice(ends) + r.choice(["", " ", "\t"]) for _ in range(r.randint(2, 20)))
    if kind == 6:
        return "\n\n".join([_prose(r, 300), r.choice(_BOILERPLATE), _prose(r, 200), r.choice(_BOILERPLATE)])
    if kind == 7:
        return "\n".join(r.choice(_FOREIGN) for _ in range(r.randint(1, 12)))
    if kind == 8:
        tags = ["#tag", "###", "#a#b#", "##", "...", "#", "a#b", "…"]
        return " ".join(r.choice(tags + _WORDS[:20]) for _ in range(r.randint(5, 60)))
    if kind == 9:
        phrase = " ".join(r.choice(_WORDS) for _ in range(r.randint(2, 6)))
        return " ".join([phrase] * r.randint(3, 30) + [_sentence(r)])
    edge = [
        "", " ", "\n", "\n\n\n", "\t \r\n", "\xa0\u3000", "word", "a b", "(){}[]⟨⟩", "x" * 1200 + " tail",
        "line one\r\nline two\r\n", "• \n•\n• x", "ⅣⅤ Ⅵ 123", "mixed\x1cseparators\x85here\u2028too",
        "The end.\n\n\n\nThe end.\n\n", "  leading and trailing  ", "#\n#\n#", "İSTANBUL TERMS OF USE",
    ]
    return r.choice(edge)


def make_corpus(n: int = 300, seed: int = 0, size: int = 3000) -> list[str]:
    """``n`` varied documents: about half English prose of ``size`` characters, the rest special cases."""
    r = random.Random(seed)
    docs = []
    for _ in range(n):
        kind = r.randint(0, 21)
        docs.append(_prose(r, r.randint(size // 2, size + size // 3)) if kind > 10 else _special(r, kind))
    return docs


@pytest.fixture(scope="session")
def corpus() -> list[str]:
    return make_corpus()
