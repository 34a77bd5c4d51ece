"""Helpers the extractors share: HTML decoding with charset detection, and language detection.

Language names are CLD2's upper-case English names (``"ENGLISH"``, ``"GERMAN"``), the keys of
the stop lists. NeMo Curator detects with ``pycld2``; it is used here too where installed.
Where it is not (it builds from C++ sources and lacks wheels for recent Pythons), the
language comes from resiliparse's ``detect_fast`` (the same library as ``ResiliparseExtractor``),
its ISO 639-1 code mapped to the CLD2 name; the two detectors can disagree on short or mixed pages.
"""

from __future__ import annotations

import shutil
import unicodedata
from functools import cache
from typing import Any

__all__ = [
    "check_s5cmd_installed",
    "decode_html",
    "detect_language",
    "lang_detect",
    "remove_control_characters",
    "try_decode_with_detected_encoding",
]

# ISO 639-1 (resiliparse) -> CLD2 language name, for the languages both know.
_ISO_TO_CLD2 = {
    "af": "AFRIKAANS", "ar": "ARABIC", "az": "AZERBAIJANI", "be": "BELARUSIAN", "bg": "BULGARIAN",
    "bn": "BENGALI", "bo": "TIBETAN", "br": "BRETON", "ca": "CATALAN", "cs": "CZECH", "cy": "WELSH",
    "da": "DANISH", "de": "GERMAN", "dv": "DHIVEHI", "el": "GREEK", "en": "ENGLISH", "eo": "ESPERANTO",
    "es": "SPANISH", "et": "ESTONIAN", "eu": "BASQUE", "fa": "PERSIAN", "fi": "FINNISH", "fo": "FAROESE",
    "fr": "FRENCH", "fy": "FRISIAN", "ga": "IRISH", "gd": "SCOTS_GAELIC", "gl": "GALICIAN", "gu": "GUJARATI",
    "ha": "HAUSA", "he": "HEBREW", "hi": "HINDI", "hr": "CROATIAN", "hu": "HUNGARIAN", "hy": "ARMENIAN",
    "id": "INDONESIAN", "is": "ICELANDIC", "it": "ITALIAN", "ja": "JAPANESE", "jv": "JAVANESE",
    "ka": "GEORGIAN", "kk": "KAZAKH", "km": "KHMER", "kn": "KANNADA", "ko": "KOREAN", "ku": "KURDISH",
    "ky": "KYRGYZ", "la": "LATIN", "lb": "LUXEMBOURGISH", "lt": "LITHUANIAN", "lv": "LATVIAN",
    "mg": "MALAGASY", "mk": "MACEDONIAN", "ml": "MALAYALAM", "mn": "MONGOLIAN", "mr": "MARATHI",
    "mt": "MALTESE", "my": "BURMESE", "ne": "NEPALI", "nl": "DUTCH", "no": "NORWEGIAN", "or": "ORIYA",
    "pa": "PUNJABI", "pl": "POLISH", "ps": "PASHTO", "pt": "PORTUGUESE", "rm": "RHAETO_ROMANCE",
    "ro": "ROMANIAN", "ru": "RUSSIAN", "sa": "SANSKRIT", "sd": "SINDHI", "si": "SINHALESE", "sk": "SLOVAK",
    "sl": "SLOVENIAN", "so": "SOMALI", "sq": "ALBANIAN", "sr": "SERBIAN", "sv": "SWEDISH", "sw": "SWAHILI",
    "ta": "TAMIL", "te": "TELUGU", "tg": "TAJIK", "th": "THAI", "tk": "TURKMEN", "tl": "TAGALOG",
    "tr": "TURKISH", "tt": "TATAR", "ug": "UIGHUR", "uk": "UKRAINIAN", "ur": "URDU", "uz": "UZBEK",
    "vi": "VIETNAMESE", "yi": "YIDDISH", "zh": "CHINESE",
}  # fmt: skip


def check_s5cmd_installed() -> bool:
    """True when the ``s5cmd`` command is on the ``PATH`` (curator_dask's downloads do not need it)."""
    return shutil.which("s5cmd") is not None


def remove_control_characters(text: str) -> str:
    """``text`` without Unicode control, format, surrogate and unassigned characters (category ``C``)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


@cache
def _cld2() -> Any | None:
    try:
        import pycld2
    except ImportError:
        return None
    return pycld2


def detect_language(text: str) -> tuple[bool, int, list[tuple[str, str, float, int]]]:
    """``(is_reliable, bytes_found, [(name, code, percent, score), ...])`` in ``pycld2.detect``'s shape."""
    cld2 = _cld2()
    if cld2 is not None:
        result: tuple[bool, int, list[tuple[str, str, float, int]]] = cld2.detect(text)
        return result
    from resiliparse.parse.lang import detect_fast

    code, score = detect_fast(text)
    name = _ISO_TO_CLD2.get(code, "UNKNOWN" if code == "unknown" else code.upper())
    # detect_fast's score is a distance (lower is surer); its documentation calls < 1200 reliable.
    return score < 1200, len(text.encode("utf-8", "replace")), [(name, code, 100.0, int(score))]


def lang_detect(text: str) -> str:
    """The most likely language of ``text`` as a CLD2 name (``"ENGLISH"``)."""
    try:
        _, _, details = detect_language(text)
    except Exception:
        _, _, details = detect_language(remove_control_characters(text))
    return details[0][0].upper()


def decode_html(html_bytes: bytes) -> str | None:
    """``html_bytes`` as text: UTF-8 when it decodes, else the detected charset; ``None`` when neither works."""
    try:
        return html_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return try_decode_with_detected_encoding(html_bytes)


def try_decode_with_detected_encoding(html_bytes: bytes) -> str | None:
    """``html_bytes`` decoded with the charset ``charset_normalizer`` detects; ``None`` when that fails."""
    from charset_normalizer import detect

    encoding = detect(html_bytes)["encoding"]
    if not encoding or encoding == "utf-8":  # bytes that failed UTF-8 detected as UTF-8: a bad detection
        return None
    try:
        return html_bytes.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
