"""An exact, cheap test for texts that ``ftfy.fix_text`` returns unchanged.

``fix_text`` cuts a text into lines and runs every enabled fixer on each, in Python, even when
nothing needs repair (nearly every document of a web crawl). With NeMo Curator's configuration a
line can change only if it holds:

* an HTML entity (``&...;``, what ``unescape_html`` decodes), or a character one of the character
  fixers acts on: ESC (terminal escapes), C1 controls, surrogates, or the control characters
  ``remove_control_chars`` removes;
* mojibake, which ``fix_encoding`` looks for only in non-ASCII text that ``ftfy.badness.is_bad``
  flags.

``is_bad`` is a regex search (done here only around the characters a match needs, see
``_windowed_badness``). Its only anchor is ``^`` (start of the line, for ftfy), and every
other match found in one line is found in the whole text too, so the whole text gets one search
plus a search for that anchored branch after each newline: a text that passes has no line ftfy
would touch. The opposite (a match that spans lines) only sends a text to ftfy, which is exact.

The test is used only where it has been checked to hold: the optional fixers that act on other
characters (ligatures, character width, curly quotes, line breaks) and Unicode normalization
switched off, and ftfy's badness pattern free of other anchors and lookarounds. Anything else
makes ``unchanged_test`` return ``None`` and every text goes to ftfy.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from ftfy import TextFixerConfig
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE

__all__ = ["unchanged_test"]

# The parse tree of ftfy's pattern, to find the characters a match needs (re's own parser, 3.11+).
_parser: Any = importlib.import_module("re._parser")
_C: Any = importlib.import_module("re._constants")
# The anchored branch of BADNESS_RE ("^[ÃÂ][ ]" in verbose mode): "Ã" or "Â" and a space starting a line.
_ANCHORED_BRANCH = "^[ÃÂ][ ]"
_LINE_START_BAD = re.compile("\n[ÃÂ] ")
# Fixers that change characters the test does not look for: the test is only valid with them off.
_UNCHECKED_FIXERS = ("fix_latin_ligatures", "fix_character_width", "uncurl_quotes", "fix_line_breaks")


def _badness_is_line_local(pattern: str) -> bool:
    """Whether ``pattern`` has no anchor or lookaround but the known ``^`` branch."""
    rest = pattern.replace(_ANCHORED_BRANCH, "").replace("[^", "[")
    return pattern.count(_ANCHORED_BRANCH) == 1 and not any(
        token in rest for token in ("^", "$", "(?", "\\b", "\\B", "\\A", "\\Z")
    )


def _char_class(codes: list[int]) -> str:
    """A regex character class of ``codes``, runs of consecutive code points as ranges."""
    parts, ordered = [], sorted(set(codes))
    start = prev = ordered[0]
    for code in [*ordered[1:], -1]:
        if code != prev + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = code
        prev = code
    return "[" + "".join(parts) + "]"


@functools.lru_cache(maxsize=32)  # configs are hashable named tuples; stages keep none of this
def unchanged_test(config: TextFixerConfig) -> Callable[[str], bool] | None:
    """A function telling, exactly, whether ``fix_text(text, config)`` returns ``text``; ``None`` if unknown.

    The function answers ``True`` only for texts ftfy would return unchanged; ``False`` means
    "ask ftfy" (most such texts are still unchanged).
    """
    if any(getattr(config, name) for name in _UNCHECKED_FIXERS) or config.normalization is not None:
        return None
    if config.fix_encoding and not _badness_is_line_local(BADNESS_RE.pattern):
        return None
    # One character class (a fast scan; an alternation is six times slower): C1 controls
    # (fix_c1_controls, and the first branch of BADNESS_RE) always, the others per fixer.
    codes = list(range(0x80, 0xA0))
    if config.remove_terminal_escapes:
        codes.append(0x1B)
    if config.remove_control_chars:
        codes += list(CONTROL_CHARS)
    if config.fix_surrogates:
        codes += list(range(0xD800, 0xE000))
    triggers = re.compile(_char_class(codes))
    # What unescape_html replaces (entities never span lines), looked for only where there is a "&".
    entities = HTML_ENTITY_RE if config.unescape_html else None
    limit, check_encoding = config.max_decode_length, config.fix_encoding

    def unchanged(text: str) -> bool:
        # Longer lines than max_decode_length are cut anywhere by ftfy: leave those to it.
        if len(text) > limit or triggers.search(text):
            return False
        if entities is not None and "&" in text and entities.search(text):
            return False
        if not check_encoding or text.isascii():
            return True
        return not _LINE_START_BAD.search(text) and not bad(text)

    bad = _windowed_badness() or (lambda text: bool(BADNESS_RE.search(text)))
    return unchanged


def _required_chars(branch: Any) -> set[int] | None:
    """The smallest all-non-ASCII character set that one element of a regex branch must match."""
    best: set[int] | None = None
    for op, av in branch:
        chars: set[int] | None = set()
        if op is _C.LITERAL:
            chars = {av}
        elif op is _C.IN:
            for item_op, item in av:
                if item_op is _C.LITERAL:
                    chars.add(item)  # type: ignore[union-attr]
                elif item_op is _C.RANGE:
                    chars.update(range(item[0], item[1] + 1))  # type: ignore[union-attr]
                else:  # a negation or a category: open-ended
                    chars = None
                    break
        else:
            chars = None
        if chars and min(chars) >= 128 and (best is None or len(chars) < len(best)):
            best = chars
    return best


def _windowed_badness() -> Callable[[str], bool] | None:
    """``bool(BADNESS_RE.search(text))``, searching only around the characters a match must hold.

    Every branch of ftfy's pattern needs one of a few hundred non-ASCII characters, and a match is
    at most ``width`` characters long: so any match lies within ``width`` of such a character, and
    searching those windows (merged where they overlap) finds one iff the whole text has one. Real
    text has few of those characters, and a full search is 30 times slower. ``None`` when the
    pattern is not of that shape (then the full search is used).
    """
    tree = _parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    if len(tree) != 1 or tree[0][0] is not _C.BRANCH:
        return None
    required = [_required_chars(branch) for branch in tree[0][1][1]]
    if any(chars is None for chars in required):
        return None
    anchors = re.compile(_char_class([c for chars in required for c in chars or ()]))
    width, search = int(tree.getwidth()[1]), BADNESS_RE.search

    def bad(text: str) -> bool:
        start, end = -1, -1
        for found in anchors.finditer(text):
            p = found.start()
            if start >= 0 and p - width + 1 <= end:
                end = p + width  # overlaps the current window: extend it
                continue
            if start >= 0 and search(text, start, end):
                return True
            start, end = max(0, p - width + 1), p + width
        return start >= 0 and search(text, start, end) is not None

    return bad
