"""Word lists, marks and regular expressions of NeMo Curator's heuristic filters.

The values are NeMo Curator's (``stages/text/utils/constants.py``); the patterns at the bottom are
extra: they restate per-line Python checks as regular expressions that both Python's ``re`` and
RE2 (pyarrow's engine) read the same way, which is why whitespace is spelled out instead of ``\\s``
(RE2's ``\\s`` is ASCII-only, Python's is Unicode).
"""

from __future__ import annotations

import re

from curator_dask.stages.text.utils.constants import POLICY_SUBSTRINGS

__all__ = [
    "BULLETS",
    "COMMON_ENGLISH_WORDS",
    "ELLIPSIS_MARKS",
    "END_MARKS",
    "POLICY_SUBSTRINGS",
    "PY_WHITESPACE",
    "REGEX_HASH",
    "REGEX_PAREN",
    "REGEX_URL",
    "WHITE_SPACE_CHARS",
]

END_MARKS: tuple[str, ...] = (".", "?", "!", '"', "'")
ELLIPSIS_MARKS: frozenset[str] = frozenset({"...", "[...]", "…", "(...)", "[…]", "-»", "read more..", "read more"})
WHITE_SPACE_CHARS: frozenset[str] = frozenset({"\t", "\n", "\r", "\b", " "})
COMMON_ENGLISH_WORDS: frozenset[str] = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
BULLETS: frozenset[str] = frozenset("•‣⁃⁌⁍∙○●◘◦⦾⦿")  # noqa: RUF001

# [[:digit:]] of the ``regex`` module is ASCII 0-9 and [a-zA-Z0-9\n?!,.] is ASCII too, so both are
# counted byte-wise in the batch path; ``regex``'s [[:alpha:]] lives in ``_unicode_alpha``.
ALPHANUMERIC_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n?!,."
DIGIT_CHARS = "0123456789"
REGEX_ALPHANUMERIC = re.compile("[a-zA-Z0-9\n?!,.]")
REGEX_DIGIT = re.compile("[0-9]")
REGEX_URL = re.compile(r"https?://(?:[A-Za-z0-9$\-_@.&+/:=?#~]|[!*\(\),]|(?:%[0-9A-Fa-f]{2}))+")
REGEX_PAREN = re.compile(r"{|}|⟨|⟩|\[|\]|\(|\)")
REGEX_HASH = re.compile("#+")

# Exactly the characters for which ``str.isspace()`` is true: what ``str.split()``/``str.strip()`` use.
PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# Literal characters, unescaped: none is special in a class, and RE2 rejects escaped control characters.
_WS = PY_WHITESPACE
_WS_NO_NL = PY_WHITESPACE.replace("\n", "")
_BULLET_CLASS = "".join(sorted(BULLETS))

# pyarrow counts matches by searching the rest of the text after each match, so ``^`` would match
# there too: patterns that need a line start either consume whole lines or anchor on the "\n".
# One match per line that ``get_sentences`` keeps (a line with a non-whitespace character).
PATTERN_NONBLANK_LINE = f"[^\n]*[^{_WS}][^\n]*"
# Lines whose stripped text starts with a bullet: the first line, then every line after a "\n".
PATTERN_BULLET_FIRST_LINE = f"^[{_WS_NO_NL}]*[{_BULLET_CLASS}]"
PATTERN_BULLET_NEXT_LINE = f"\n[{_WS_NO_NL}]*[{_BULLET_CLASS}]"
# One match per line whose stripped text ends with an end mark.
PATTERN_END_MARK_LINE = f"(?m)[.?!\"'][{_WS_NO_NL}]*$"
# One match per line whose stripped, lower-cased text ends with an ellipsis mark. Only "read more"
# has letters, and no other character lower-cases to them, so (?i) equals str.lower() here.
_ELLIPSIS_ALTERNATIVES = r"\.\.\.|\[\.\.\.\]|\(\.\.\.\)|…|\[…\]|-»|(?i:read more)(?:\.\.)?"
PATTERN_ELLIPSIS_LINE = f"(?m)(?:{_ELLIPSIS_ALTERNATIVES})[{_WS_NO_NL}]*$"
# Case-insensitive prefilter: a document can only score > 0 on boilerplate if this matches.
PATTERN_BOILERPLATE = "|".join(re.escape(s) for s in ("lorem ipsum", *POLICY_SUBSTRINGS))
