"""Helpers the extractors share: HTML decoding with charset detection, and language detection.

Language names are CLD2's upper-case English names (``"ENGLISH"``, ``"GERMAN"``), the keys of
the stop lists. NeMo Curator detects with ``pycld2``; it is used here too where installed.
Where it is not (it builds from C++ sources and publishes no wheels), the language comes from
``html_extractors.utils.language`` (Resiliparse's ``detect_fast`` on the page's main content,
named as CLD2 names it); the two detectors can disagree on short or mixed pages.
"""

from __future__ import annotations

import subprocess
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


def check_s5cmd_installed() -> bool:
    """True when the ``s5cmd`` command runs (curator_dask's downloads do not need it)."""
    try:
        subprocess.run(["s5cmd", "version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        return False
    return True


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
    from curator_dask.stages.text.download.html_extractors.utils.language import UNKNOWN, lang_detect

    name = lang_detect(text)
    return name != UNKNOWN, len(text.encode("utf-8", "replace")), [(name, "", 100.0, 0)]


def lang_detect(text: str) -> str:
    """The most likely language of ``text`` (HTML or plain) as a CLD2 name (``"ENGLISH"``)."""
    if _cld2() is None:
        from curator_dask.stages.text.download.html_extractors.utils.language import lang_detect as detect

        return detect(text)
    try:
        _, _, details = detect_language(text)
    except Exception:  # pycld2 rejects some control characters; retry without them
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
