"""The raw material of the generated documents: word lists, marks and hand-picked awkward strings.

Every table is a tuple and its order is part of the data: the generator draws from them by index,
so reordering or extending one changes every corpus drawn from it (and the tests that pin them).
"""

# Confusable characters (mojibake, full-width letters, CJK punctuation) are the data here.
# ruff: noqa: RUF001

from __future__ import annotations

# Common English words first (CommonEnglishWordsFilter counts them), then topical nouns.
_ENGLISH = (
    "the of and to a in is it you that he was for on are with as his they be at one have this from or "
    "had by hot word but what some we can out other were all there when up use your how said an each she "
    "which do their time if will way about many then them write would like so these her long make thing "
    "see him two has look more day could go come did number sound no most people my over know water than "
    "call first who may down side been now find river market council policy research station garden "
    "window history science morning evening student teacher company product service network system "
    "report season village mountain"
)
_GERMAN = "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden"
_FRENCH = "le de la et les des en un une du est que pour qui dans par sur pas plus ne au avec ce il sont"
# Common English words first (CommonEnglishWordsFilter counts them), then topical nouns.
WORDS: tuple[str, ...] = tuple(_ENGLISH.split())
GERMAN: tuple[str, ...] = tuple(_GERMAN.split())
FRENCH: tuple[str, ...] = tuple(_FRENCH.split())

# How sentences end: clean prose, and ragged prose (no mark, a comma, a quote, an ellipsis).
CLEAN_ENDINGS: tuple[str, ...] = (".", ".", ".", "!", "?")
RAGGED_ENDINGS: tuple[str, ...] = (".", ".", ".", "?", "!", "", ",", '"', "...")

BULLETS: tuple[str, ...] = ("•", "‣", "◦", "●", "○", "∙", "-", "*")
ELLIPSIS_ENDS: tuple[str, ...] = (
    "...", "…", "[...]", "(...)", "[…]", "-»", "Read more", "READ MORE..", "read more.", " ...",
)  # fmt: skip
HASHTAGS: tuple[str, ...] = ("#tag", "###", "#a#b#", "##", "...", "#", "a#b", "…")
NUMBER_SUFFIXES: tuple[str, ...] = ("", "%", " dollars", ".5")
OTHER_SCRIPTS: tuple[str, ...] = (
    "这是一个用于测试的中文句子，没有空格。",
    "Это предложение на русском языке для проверки фильтров.",
    "यह हिंदी में एक परीक्षण वाक्य है जिसमें मात्राएँ हैं।",
    "هذه جملة عربية لاختبار المرشحات.",
    "Ceci est une phrase française avec des accents: é, è, ç, à.",
    "これは日本語のテスト文です。",
)
BOILERPLATE: tuple[str, ...] = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "By using this site you agree to our Terms of Use and Privacy Policy.",
    "This website uses cookies to improve your experience.",
    "Read our COOKIE POLICY for details.",
)
PORN_URL = "http://bad-porn-site.example/x"

# Whole documents at the edges of what the filters and text helpers must take: empty, blank,
# one word, every kind of line break, a 1200-character word, Roman numerals, dotless capital I.
EDGE_STRINGS: tuple[str, ...] = (
    "", " ", "\n", "\n\n\n", "\t \r\n", "\xa0\u3000", "word", "a b", "(){}[]⟨⟩", "x" * 1200 + " tail",
    "line one\r\nline two\r\n", "• \n•\n• x", "ⅣⅤ Ⅵ 123", "mixed\x1cseparators\x85here\u2028too",
    "The end.\n\n\n\nThe end.\n\n", "  leading and trailing  ", "#\n#\n#", "İSTANBUL TERMS OF USE",
)  # fmt: skip

# What the modifiers clean: mojibake, HTML entities, ANSI codes, ligatures, URLs, Markdown,
# quoted lines, boilerplate lines, marker words for the Slicer, and text they must leave alone.
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
# Line breaks between fragments: runs of LF, of CRLF, mixed runs, a space, nothing.
SEPARATORS: tuple[str, ...] = ("\n", "\n\n", "\n\n\n", "\n\n\n\n", "\r\n", "\r\n\r\n\r\n", "\r\n\n\r\n", " ", "")
