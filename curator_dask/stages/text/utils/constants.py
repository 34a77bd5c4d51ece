"""Word lists, marks and patterns shared by the text filters and modifiers.

The lower-case names are NeMo Curator's (``nemo_curator.stages.text.utils.constants``) with its
values, frozen (tuples, frozensets) so that no caller can change them for every filter at once.
NeMo's ``regex_alpha`` (the ``regex`` package's ``[[:alpha:]]``) is a ``text_utils.AlphabeticPattern``
here (its ``findall`` and ``search``; ``text_utils.count_alphabetic`` counts faster), so that
``regex`` is not needed.

The upper-case names are this project's, for the vectorised batch paths: the ASCII characters of
NeMo's character classes, and RE2 patterns (pyarrow's regex engine) that restate per-line Python
checks. Both Python's ``re`` and RE2 read them the same way, which is why whitespace is spelled
out instead of ``\\s`` (RE2's ``\\s`` is ASCII-only, Python's is Unicode).
"""

from __future__ import annotations

import re

from curator_dask.stages.text.utils.text_utils import AlphabeticPattern

__all__ = [
    "ALPHANUMERIC_CHARS",
    "DIGIT_CHARS",
    "PATTERN_BOILERPLATE",
    "PATTERN_BULLET_FIRST_LINE",
    "PATTERN_BULLET_NEXT_LINE",
    "PATTERN_ELLIPSIS_LINE",
    "PATTERN_END_MARK_LINE",
    "PATTERN_NONBLANK_LINE",
    "PATTERN_PAREN",
    "PY_WHITESPACE",
    "bullet_list",
    "common_english_words",
    "ellipsis_marks",
    "end_marks",
    "policy_substrings",
    "regex_alpha",
    "regex_alphanum",
    "regex_digit",
    "regex_hash",
    "regex_paren",
    "regex_url",
    "white_space_list",
]

end_marks: tuple[str, ...] = (".", "?", "!", '"', "'")
ellipsis_marks: frozenset[str] = frozenset({"...", "[...]", "…", "(...)", "[…]", "-»", "read more..", "read more"})
# NeMo Curator's list, kept whole: a paragraph containing any of these (lower-cased) is boilerplate.
policy_substrings: tuple[str, ...] = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "privacy overview",
    "use of cookies",
    "use cookies",
    "privacy & cookies policy",
    "privacy and cookies policy",
    "this website uses cookies to improve your experience while you navigate through the website. out of "
    "these cookies, the cookies that are categorized as necessary are stored on your browser as they are "
    "essential for the working of basic functionalities of the website. we also use third-party cookies "
    "that help us analyze and understand how you use this website. these cookies will be stored in your "
    "browser only with your consent. you also have the option to opt-out of these cookies. but opting out "
    "of some of these cookies may have an effect on your browsing experience.",
    "necessary cookies are absolutely essential for the website to function properly. this category only "
    "includes cookies that ensures basic functionalities and security features of the website. these "
    "cookies do not store any personal information.",
    "any cookies that may not be particularly necessary for the website to function and is used "
    "specifically to collect user personal data via analytics, ads, other embedded contents are termed "
    "as non-necessary cookies. it is mandatory to procure user consent prior to running these cookies on "
    "your website.",
    "this site uses cookies, including for analytics, personalization, and advertising purposes. for more "
    "information or to change your cookie settings, click here.",
    "if you continue to browse this site without changing your cookie settings, you agree to this use. acceptread more",
)
white_space_list: frozenset[str] = frozenset({"\t", "\n", "\r", "\b", " "})
common_english_words: frozenset[str] = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
bullet_list: frozenset[str] = frozenset("•‣⁃⁌⁍∙○●◘◦⦾⦿")  # noqa: RUF001

regex_alpha = AlphabeticPattern()
regex_alphanum = re.compile("[a-zA-Z0-9\n?!,.]")
regex_digit = re.compile("[0-9]")  # the ``regex`` package's [[:digit:]] is ASCII 0-9 too
regex_url = re.compile(r"https?://(?:[A-Za-z0-9$\-_@.&+/:=?#~]|[!*\(\),]|(?:%[0-9A-Fa-f]{2}))+")
regex_paren = re.compile(r"{|}|⟨|⟩|\[|\]|\(|\)")
regex_hash = re.compile("#+")

# regex_alphanum and regex_digit match ASCII only, so the batch paths count them byte by byte.
ALPHANUMERIC_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n?!,."
DIGIT_CHARS = "0123456789"

# Exactly the characters for which ``str.isspace()`` is true: what ``str.split()``/``str.strip()`` use.
PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# Literal characters, unescaped: none is special in a class, and RE2 rejects escaped control characters.
_WS_NO_NL = PY_WHITESPACE.replace("\n", "")
_BULLET_CLASS = "".join(sorted(bullet_list))

# regex_paren as one RE2 character class.
PATTERN_PAREN = "[{}⟨⟩\\[\\]()]"
# pyarrow counts matches by searching the rest of the text after each match, so ``^`` would match
# there too: patterns that need a line start either consume whole lines or anchor on the "\n".
# One match per line that ``get_sentences`` keeps (a line with a non-whitespace character).
PATTERN_NONBLANK_LINE = f"[^\n]*[^{PY_WHITESPACE}][^\n]*"
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
PATTERN_BOILERPLATE = "|".join(re.escape(s) for s in ("lorem ipsum", *policy_substrings))
