"""Per-document text helpers shared by the filters, under NeMo Curator's names and semantics.

Every public name of NeMo Curator's ``nemo_curator.stages.text.utils.text_utils`` is here with its
semantics: the splitters (``get_word_splitter``, ``get_paragraphs``, ``get_sentences``,
``get_ngrams``, ``get_words``, ``remove_punctuation``), C4's
``is_paragraph_indices_in_top_or_bottom_only``, ``get_language_name``, and the Python source helpers
(``NODE_TYPES``, ``get_comments_and_docstring``, ``get_comments``, ``get_docstrings``,
``parse_docstrings``, in ``_python_source`` and imported here). ``is_default_splitter`` tells the
batch paths when they may split words themselves. ``has_alphabetic`` stands for NeMo's
``regex_alpha`` (the ``regex`` package's ``[[:alpha:]]``, the Unicode ``Alphabetic`` property):
``str.isalpha()`` covers the letters (general category L*); ``Alphabetic`` adds letter numbers (Nl)
and ``Other_Alphabetic`` (mostly combining vowel signs, e.g. Devanagari). The extra code points are
listed below, generated from ``regex`` 2026.11.19 on Python 3.11 (Unicode 14), so that this package
needs no ``regex`` dependency and still decides exactly as NeMo Curator does.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable
from itertools import pairwise

from curator_dask.stages.text.utils._python_source import (
    NODE_TYPES,
    get_comments,
    get_comments_and_docstring,
    get_docstrings,
    parse_docstrings,
)

__all__ = [
    "NODE_TYPES",
    "count_alphabetic",
    "get_comments",
    "get_comments_and_docstring",
    "get_docstrings",
    "get_language_name",
    "get_ngrams",
    "get_paragraphs",
    "get_sentences",
    "get_word_splitter",
    "get_words",
    "has_alphabetic",
    "is_default_splitter",
    "is_paragraph_indices_in_top_or_bottom_only",
    "parse_docstrings",
    "remove_punctuation",
]

logger = logging.getLogger(__name__)


def _default_splitter(text: str) -> list[str]:
    return text.split()


def get_word_splitter(language: str) -> Callable[[str], list[str]]:
    """The word splitter NeMo Curator uses for ``language`` (an ISO 639-1 code).

    Chinese (``zh``, jieba) and Japanese (``ja``, MeCab) need optional packages, imported only
    when asked for; every other language splits on whitespace like ``str.split()``.
    """
    language = language.lower()
    if language == "zh":
        import jieba

        def jieba_splitter(text: str) -> list[str]:
            return list(jieba.cut(text))

        return jieba_splitter
    if language == "ja":
        import MeCab

        def mecab_splitter(text: str) -> list[str]:
            parsed = MeCab.Tagger().parse(text)
            return [line.split("\t")[0] for line in parsed.strip().split("\n") if line and line != "EOS"]

        return mecab_splitter
    return _default_splitter


def is_default_splitter(splitter: Callable[[str], list[str]]) -> bool:
    """True for the whitespace splitter, the only one the vectorised batch paths reproduce."""
    return splitter is _default_splitter


def get_paragraphs(document: str) -> list[str]:
    """Paragraphs: the pieces between double newlines (empty pieces included)."""
    return document.split("\n\n")


def get_sentences(document: str) -> list[str]:
    """Lines (NeMo calls them sentences): the pieces between newlines that are not blank."""
    return [x for x in document.split("\n") if len(x.strip()) > 0]


def get_ngrams(input_list: list[str], n: int) -> list[tuple[str, ...]]:
    """The ``n``-grams of a token list, in order."""
    return list(zip(*[input_list[i:] for i in range(n)], strict=False))


def is_paragraph_indices_in_top_or_bottom_only(boilerplate_paragraph_indices: list[int], num_paragraphs: int) -> bool:
    """True for one contiguous run of (sorted) indices touching the first or the last paragraph.

    All paragraphs at once is False: C4 then drops the document instead of trimming it.
    """
    indices = boilerplate_paragraph_indices
    if len(indices) == num_paragraphs:
        return False
    contiguous = all(b == a + 1 for a, b in pairwise(indices))
    return contiguous and (indices[0] == 0 or indices[-1] == num_paragraphs - 1)


_PUNCTUATION_TABLE = str.maketrans("", "", string.punctuation)


def remove_punctuation(str_in: str) -> str:
    """``str_in`` without the ASCII punctuation characters (``string.punctuation``)."""
    return str_in.translate(_PUNCTUATION_TABLE)


def get_words(text: str) -> tuple[list[str], list[int]]:
    """The words of ``text`` lower-cased and without punctuation, and where each word starts.

    Words are separated by spaces (only ``" "``); the positions index the cleaned text.
    """
    cleaned = remove_punctuation(text.lower())
    starts = [i for i, ch in enumerate(cleaned) if ch != " " and (i == 0 or cleaned[i - 1] == " ")]
    if not cleaned:
        return [], starts
    # Each word runs from one start to the next, stripped; text before the first start is "".
    cuts = [0, *(i for i in starts if i != 0), len(cleaned)]
    words = [cleaned[a:b].strip() for a, b in pairwise(cuts)]
    if words[0] == "":
        words = words[1:]
    return words, starts


def get_language_name(lang_code: str) -> str:
    """A readable language name for an ISO 639 code (``"en"`` -> ``"English"``).

    Needs the optional ``iso639`` package (``pip install iso639-lang``); without it, or for an
    unknown code, the code itself is returned and a warning logged, as NeMo Curator does.
    """
    if not lang_code:
        return ""
    try:
        import iso639
    except ImportError:
        logger.warning("iso639 is not installed (pip install iso639-lang); using the code %r as its name", lang_code)
        return lang_code
    lang = getattr(iso639, "Lang", None)
    if callable(lang):
        try:
            return str(lang(lang_code).name)
        except (KeyError, AttributeError, TypeError, ValueError):
            pass
    to_name = getattr(iso639, "to_name", None)
    if callable(to_name):
        try:
            name = to_name(lang_code)
        except (KeyError, AttributeError, TypeError, ValueError):
            name = None
        if isinstance(name, str) and name:
            return name
    logger.warning("Unknown language code %r; using the code as its name", lang_code)
    return lang_code


# Code points (ranges inclusive) where ``[[:alpha:]]`` matches but ``str.isalpha()`` is False.
_EXTRA_RANGES = """
    0x345 0x363-0x36F 0x558 0x58B-0x58C 0x5B0-0x5BD 0x5BF 0x5C1-0x5C2 0x5C4-0x5C5 0x5C7-0x5C9 0x610-0x61A
    0x64B-0x657 0x659-0x65F 0x670 0x6D6-0x6DC 0x6E1-0x6E4 0x6E7-0x6E8 0x6ED 0x711 0x730-0x73F 0x7A6-0x7B0
    0x816-0x817 0x81B-0x823 0x825-0x827 0x829-0x82C 0x88F 0x897 0x8D4-0x8DF 0x8E3-0x8E9 0x8F0-0x903 0x93A-0x93B
    0x93E-0x94C 0x94E-0x94F 0x955-0x957 0x962-0x963 0x981-0x983 0x9BE-0x9C4 0x9C7-0x9C8 0x9CB-0x9CC 0x9D7
    0x9E2-0x9E3 0xA01-0xA03 0xA3E-0xA42 0xA47-0xA48 0xA4B-0xA4C 0xA51 0xA70-0xA71 0xA75 0xA81-0xA83 0xABE-0xAC5
    0xAC7-0xAC9 0xACB-0xACC 0xAE2-0xAE3 0xAFA-0xAFC 0xB01-0xB03 0xB3E-0xB44 0xB47-0xB48 0xB4B-0xB4C 0xB56-0xB57
    0xB62-0xB63 0xB82 0xBBE-0xBC2 0xBC6-0xBC8 0xBCA-0xBCC 0xBD7 0xC00-0xC04 0xC3E-0xC44 0xC46-0xC48 0xC4A-0xC4C
    0xC55-0xC56 0xC5C 0xC62-0xC63 0xC81-0xC83 0xCBE-0xCC4 0xCC6-0xCC8 0xCCA-0xCCC 0xCD5-0xCD6 0xCDC 0xCE2-0xCE3
    0xCF3 0xD00-0xD03 0xD3E-0xD44 0xD46-0xD48 0xD4A-0xD4C 0xD57 0xD62-0xD63 0xD81-0xD83 0xDCF-0xDD4 0xDD6
    0xDD8-0xDDF 0xDF2-0xDF3 0xE31 0xE34-0xE3A 0xE4D 0xEB1 0xEB4-0xEB9 0xEBB-0xEBC 0xECD 0xF71-0xF83 0xF8D-0xF97
    0xF99-0xFBC 0x102B-0x1036 0x1038 0x103B-0x103E 0x1056-0x1059 0x105E-0x1060 0x1062-0x1064 0x1067-0x106D
    0x1071-0x1074 0x1082-0x108D 0x108F 0x109A-0x109D 0x16EE-0x16F0 0x1712-0x1713 0x1732-0x1733 0x1752-0x1753
    0x1772-0x1773 0x17B6-0x17C8 0x1885-0x1886 0x18A9 0x1920-0x192B 0x1930-0x1938 0x1A17-0x1A1B 0x1A55-0x1A5E
    0x1A61-0x1A74 0x1ABF-0x1AC0 0x1ACC-0x1ACE 0x1B00-0x1B04 0x1B35-0x1B43 0x1B80-0x1B82 0x1BA1-0x1BA9
    0x1BAC-0x1BAD 0x1BE7-0x1BF1 0x1C24-0x1C36 0x1C89-0x1C8A 0x1DD3-0x1DF4 0x208F 0x209D-0x209F 0x2160-0x2182
    0x2185-0x2188 0x24B6-0x24E9 0x2DE0-0x2DFF 0x3007 0x3021-0x3029 0x3038-0x303A 0xA674-0xA67B 0xA69E-0xA69F
    0xA6E6-0xA6EF 0xA7CB-0xA7CF 0xA7D2 0xA7D4 0xA7DA-0xA7DD 0xA7E2 0xA7F1 0xA802 0xA80B 0xA823-0xA827
    0xA880-0xA881 0xA8B4-0xA8C3 0xA8C5 0xA8FF 0xA926-0xA92A 0xA947-0xA952 0xA980-0xA983 0xA9B4-0xA9BF 0xA9E5
    0xAA29-0xAA36 0xAA43 0xAA4C-0xAA4D 0xAA7B-0xAA7D 0xAAB0 0xAAB2-0xAAB4 0xAAB7-0xAAB8 0xAABE 0xAAEB-0xAAEF
    0xAAF5 0xAB6C-0xAB6D 0xABE3-0xABEA 0xFB1E 0x10140-0x10174 0x10341 0x1034A 0x10376-0x1037A 0x103D1-0x103D5
    0x105C0-0x105F3 0x107BB-0x107BF 0x10940-0x10959 0x10A01-0x10A03 0x10A05-0x10A06 0x10A0C-0x10A0F
    0x10D24-0x10D27 0x10D4A-0x10D65 0x10D69 0x10D6F-0x10D85 0x10EAB-0x10EAC 0x10EC2-0x10EC7 0x10ECB-0x10ECD
    0x10ED9-0x10EEE 0x10EF3 0x10EF5 0x10EF7-0x10EF8 0x10EFA-0x10EFC 0x11000-0x11002 0x11038-0x11045
    0x11073-0x11074 0x11080-0x11082 0x110B0-0x110B8 0x110C2 0x11100-0x11102 0x11127-0x11132 0x11145-0x11146
    0x11180-0x11182 0x111B3-0x111BF 0x111CE-0x111CF 0x1122C-0x11234 0x11237 0x1123E-0x11241 0x112DF-0x112E8
    0x11300-0x11303 0x1133E-0x11344 0x11347-0x11348 0x1134B-0x1134C 0x11357 0x11362-0x11363 0x11380-0x11389
    0x1138B 0x1138E 0x11390-0x113B5 0x113B7-0x113C0 0x113C2 0x113C5 0x113C7-0x113CA 0x113CC-0x113CD 0x113D1
    0x113D3 0x11435-0x11441 0x11443-0x11445 0x114B0-0x114C1 0x115AF-0x115B5 0x115B8-0x115BE 0x115DC-0x115DD
    0x11630-0x1163E 0x11640 0x116AB-0x116B5 0x1171D-0x1172A 0x1182C-0x11838 0x11930-0x11935 0x11937-0x11938
    0x1193B-0x1193C 0x11940 0x11942 0x119D1-0x119D7 0x119DA-0x119DF 0x119E4 0x11A01-0x11A0A 0x11A35-0x11A39
    0x11A3B-0x11A3E 0x11A51-0x11A5B 0x11A8A-0x11A97 0x11B0A 0x11B60-0x11B67 0x11BC0-0x11BE0 0x11C2F-0x11C36
    0x11C38-0x11C3E 0x11C92-0x11CA7 0x11CA9-0x11CB6 0x11D31-0x11D36 0x11D3A 0x11D3C-0x11D3D 0x11D3F-0x11D41
    0x11D43 0x11D47 0x11D8A-0x11D8E 0x11D90-0x11D91 0x11D93-0x11D96 0x11DB0-0x11DDB 0x11DF0-0x11DF1
    0x11EF3-0x11EF6 0x11F00-0x11F10 0x11F12-0x11F3A 0x11F3E-0x11F40 0x12400-0x1246F 0x12475-0x1247F
    0x12550-0x12686 0x1342F 0x13441-0x13446 0x13460-0x143FA 0x16100-0x1612E 0x16D40-0x16D6C 0x16EA0-0x16EB8
    0x16EBB-0x16ED3 0x16F4F 0x16F51-0x16F87 0x16F8F-0x16F92 0x16FF0-0x16FF6 0x187F8-0x187FF 0x18CD6-0x18CDA
    0x18CFF 0x18D09-0x18D20 0x18D80-0x18DF2 0x18E00-0x19191 0x191A0-0x191D2 0x1B123-0x1B128 0x1B132 0x1B155
    0x1B168 0x1BC9E 0x1D6A6 0x1DF1F-0x1DF81 0x1DF90-0x1DF96 0x1DFCD-0x1E006 0x1E008-0x1E018 0x1E01B-0x1E021
    0x1E023-0x1E024 0x1E026-0x1E02A 0x1E030-0x1E06D 0x1E08F 0x1E4D0-0x1E4EB 0x1E5D0-0x1E5ED 0x1E5F0
    0x1E6C0-0x1E6DE 0x1E6E0-0x1E6F5 0x1E6FE-0x1E6FF 0x1E947 0x1F130-0x1F149 0x1F150-0x1F169 0x1F170-0x1F189
    0x2B739-0x2B73F 0x2B81E 0x2CEA2-0x2CEAD 0x2EBF0-0x2EE5D 0x31350-0x33479 0x3D000-0x3FC3F
"""


def _parse(spec: str) -> frozenset[str]:
    chars: set[str] = set()
    for item in spec.split():
        lo, _, hi = item.partition("-")
        chars.update(map(chr, range(int(lo, 16), int(hi or lo, 16) + 1)))
    return frozenset(chars)


_EXTRA_ALPHABETIC = _parse(_EXTRA_RANGES)


def has_alphabetic(word: str) -> bool:
    """True when ``word`` has a character with the Unicode ``Alphabetic`` property."""
    if word.isascii():
        # Fast path: in ASCII, Alphabetic is exactly A-Z and a-z.
        return any(c.isalpha() for c in word)
    return any(c.isalpha() or c in _EXTRA_ALPHABETIC for c in word)


_ASCII_LETTERS = string.ascii_letters.encode()


def count_alphabetic(text: str) -> int:
    """How many characters of ``text`` have the Unicode ``Alphabetic`` property (NeMo's ``regex_alpha``)."""
    if text.isascii():
        # bytes.translate deletes in C: the letters are what it removed.
        return len(text) - len(text.encode().translate(None, _ASCII_LETTERS))
    return sum(1 for c in text if c.isalpha() or c in _EXTRA_ALPHABETIC)


class AlphabeticPattern:
    """NeMo Curator's ``regex_alpha`` (the ``regex`` package's ``[[:alpha:]]``) without ``regex``.

    Offers the part of a compiled pattern that callers use: ``findall`` and ``search``.
    """

    pattern = "[[:alpha:]]"

    def findall(self, text: str) -> list[str]:
        return [c for c in text if c.isalpha() or c in _EXTRA_ALPHABETIC]

    def search(self, text: str) -> str | None:
        """The first alphabetic character, or None (a truthy result where ``regex`` gives a match)."""
        return next((c for c in text if c.isalpha() or c in _EXTRA_ALPHABETIC), None)

    def __repr__(self) -> str:
        return f"AlphabeticPattern({self.pattern!r})"
