"""``lang_detect``: a page's language, named as NeMo Curator's stop lists are keyed (``"ENGLISH"``).

NeMo Curator detects with CLD2 through ``pycld2``, which publishes no wheels (it compiles CLD2's C++
on install) and is unmaintained. This module needs only Resiliparse, already needed for extraction:

1. measure the page's main content (the whole visible text when there is next to none);
2. a page mostly (by UTF-8 bytes, as CLD2 counts) in kana, hangul, Thai or Han script is JAPANESE,
   KOREAN, THAI or CHINESE: these are the languages whose handling differs downstream;
3. otherwise Resiliparse's ``detect_fast`` (101 languages, linear time) names an ISO 639-1 code,
   mapped to CLD2's upper-case name, so the result indexes ``get_stop_list_dict()`` as NeMo's does.

Text with no letters, or that ``detect_fast`` cannot place, is ``"UNKNOWN"`` (CLD2's name for it),
which no stop list matches, so the page is dropped as NeMo Curator drops it.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ISO_TO_LANGUAGE", "UNKNOWN", "lang_detect"]

UNKNOWN = "UNKNOWN"

# ISO 639-1 codes Resiliparse detects -> CLD2's language names.
ISO_TO_LANGUAGE: dict[str, str] = {
    "af": "AFRIKAANS", "ar": "ARABIC", "as": "ASSAMESE", "az": "AZERBAIJANI", "ba": "BASHKIR",
    "be": "BELARUSIAN", "bg": "BULGARIAN", "bn": "BENGALI", "bo": "TIBETAN", "br": "BRETON",
    "ca": "CATALAN", "ce": "CHECHEN", "cs": "CZECH", "cv": "CHUVASH", "cy": "WELSH", "da": "DANISH",
    "de": "GERMAN", "dv": "DHIVEHI", "el": "GREEK", "en": "ENGLISH", "eo": "ESPERANTO", "es": "SPANISH",
    "et": "ESTONIAN", "eu": "BASQUE", "fa": "PERSIAN", "fi": "FINNISH", "fo": "FAROESE", "fr": "FRENCH",
    "fy": "FRISIAN", "ga": "IRISH", "gd": "SCOTS_GAELIC", "gl": "GALICIAN", "gu": "GUJARATI",
    "ha": "HAUSA", "he": "HEBREW", "hi": "HINDI", "hr": "CROATIAN", "hu": "HUNGARIAN", "hy": "ARMENIAN",
    "id": "INDONESIAN", "io": "IDO", "is": "ICELANDIC", "it": "ITALIAN", "ja": "JAPANESE",
    "jv": "JAVANESE", "ka": "GEORGIAN", "kk": "KAZAKH", "km": "KHMER", "kn": "KANNADA", "ko": "KOREAN",
    "ku": "KURDISH", "ky": "KYRGYZ", "la": "LATIN", "lb": "LUXEMBOURGISH", "lt": "LITHUANIAN",
    "lv": "LATVIAN", "mg": "MALAGASY", "mk": "MACEDONIAN", "ml": "MALAYALAM", "mn": "MONGOLIAN",
    "mr": "MARATHI", "mt": "MALTESE", "my": "BURMESE", "ne": "NEPALI", "nl": "DUTCH", "no": "NORWEGIAN",
    "or": "ORIYA", "pa": "PUNJABI", "pl": "POLISH", "ps": "PASHTO", "pt": "PORTUGUESE",
    "rm": "RHAETO_ROMANCE", "ro": "ROMANIAN", "ru": "RUSSIAN", "sa": "SANSKRIT", "sc": "SARDINIAN",
    "sd": "SINDHI", "si": "SINHALESE", "sk": "SLOVAK", "sl": "SLOVENIAN", "so": "SOMALI",
    "sq": "ALBANIAN", "sr": "SERBIAN", "sv": "SWEDISH", "sw": "SWAHILI", "ta": "TAMIL", "te": "TELUGU",
    "tg": "TAJIK", "th": "THAI", "tk": "TURKMEN", "tl": "TAGALOG", "tr": "TURKISH", "tt": "TATAR",
    "ug": "UIGHUR", "uk": "UKRAINIAN", "ur": "URDU", "uz": "UZBEK", "vi": "VIETNAMESE", "vo": "VOLAPUK",
    "yi": "YIDDISH", "zh": "CHINESE",
}  # fmt: skip

# Unicode blocks of the non-space-separated scripts, for text too short for detect_fast.
_SCRIPTS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("JAPANESE", ((0x3040, 0x30FF),)),  # hiragana and katakana: only Japanese uses them
    ("KOREAN", ((0x1100, 0x11FF), (0xAC00, 0xD7AF))),  # hangul
    ("THAI", ((0x0E00, 0x0E7F),)),
    ("CHINESE", ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))),  # han, also written in Japanese
)


def lang_detect(text: str) -> str:
    """The language of an HTML page (or plain text) as an upper-case CLD2 name, e.g. ``"ENGLISH"``.

    The main content (Resiliparse's heuristics) is what is measured, so that an English menu around
    a Japanese article does not decide; a page with next to no main content is measured whole.

    Args:
        text: the decoded page; markup, scripts and styles are not counted.

    Returns:
        The language's name, or ``"UNKNOWN"`` when the text gives no usable signal.
    """
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.lang import detect_fast

    visible = extract_plain_text(text, main_content=True)
    if _letters(visible) < _MIN_MAIN_CONTENT_LETTERS:
        visible = extract_plain_text(text, main_content=False)
    visible = unicodedata.normalize("NFC", visible)
    if not _letters(visible):
        return UNKNOWN  # detect_fast would still name a profile for empty text
    script = _dominant_script(visible)
    if script != UNKNOWN:
        return script
    code, _rank = detect_fast(visible)
    return ISO_TO_LANGUAGE.get(code, UNKNOWN)


_MIN_MAIN_CONTENT_LETTERS = 20


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _dominant_script(text: str) -> str:
    """A non-space-separated language whose script holds most of the letters' UTF-8 bytes, else UNKNOWN.

    Bytes, not characters, are counted (as CLD2 reports shares), so a CJK article outweighs the
    same number of characters of Latin boilerplate.
    """
    counts = dict.fromkeys((name for name, _ in _SCRIPTS), 0)
    total = 0
    for char in text:
        if not char.isalpha() and not unicodedata.category(char).startswith("M"):  # Thai vowels are marks
            continue
        size = len(char.encode("utf-8"))
        total += size
        point = ord(char)
        for name, ranges in _SCRIPTS:
            if any(low <= point <= high for low, high in ranges):
                counts[name] += size
                break
    if counts["JAPANESE"] and counts["JAPANESE"] + counts["CHINESE"] > total / 2:
        return "JAPANESE"  # kana mixed with kanji
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] > total / 2 else UNKNOWN
