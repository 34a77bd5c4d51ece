"""The natural-language parts of source files: comments by MIME type, and the visible text of HTML.

NeMo Curator takes these from ``comment_parser`` (with ``python-magic``) and BeautifulSoup; here
they come from regular expressions and the standard library's ``html.parser``, so the code filters
need no extra packages. A comment's text is what lies between its markers (after ``//`` or ``#``,
inside ``/* */`` or ``<!-- -->``); markers inside string literals are not comments.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from curator_dask.errors import ConfigError, InputError

__all__ = ["COMMENT_MIME_TYPES", "UnterminatedCommentError", "check_mime", "comment_texts", "html_visible_text"]

_DOUBLE = r'"(?:\\.|[^"\\\n])*"'
_SINGLE = r"'(?:\\.|[^'\\\n])*'"
_RAW = r"`[^`]*`"
_LINE_SLASH = r"//(?P<line>[^\n]*)"
_LINE_HASH = r"#(?P<line>[^\n]*)"
_BLOCK = r"/\*(?P<block>.*?)\*/"
_OPEN_BLOCK = r"(?P<open>/\*)"
_HTML = r"<!--(?P<block>.*?)-->"
_OPEN_HTML = r"(?P<open><!--)"


def _scanner(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.DOTALL)


_C = _scanner(_DOUBLE, _SINGLE, _LINE_SLASH, _BLOCK, _OPEN_BLOCK)
_GO = _scanner(_DOUBLE, _SINGLE, _RAW, _LINE_SLASH, _BLOCK, _OPEN_BLOCK)
_HASH = _scanner(_DOUBLE, _SINGLE, _LINE_HASH)
_MARKUP = _scanner(_HTML, _OPEN_HTML)

# The MIME types comment_parser knows, with the comment syntax of each.
COMMENT_MIME_TYPES: dict[str, re.Pattern[str]] = {
    "application/javascript": _C,
    "text/x-javascript": _C,
    "text/x-c": _C,
    "text/x-c++": _C,
    "text/x-java": _C,
    "text/x-java-source": _C,
    "text/x-go": _GO,
    "text/x-python": _HASH,
    "text/x-script.python": _HASH,
    "text/x-ruby": _HASH,
    "text/x-shellscript": _HASH,
    "text/html": _MARKUP,
    "text/xml": _MARKUP,
}


class UnterminatedCommentError(InputError):
    """A block comment that runs to the end of the file (``GeneralCommentToCodeFilter`` then scores 9999)."""


def check_mime(language: str) -> re.Pattern[str]:
    """The comment scanner for a MIME type; a ``ConfigError`` listing the known ones otherwise."""
    scanner = COMMENT_MIME_TYPES.get(language)
    if scanner is None:
        msg = (
            f"GeneralCommentToCodeFilter(language={language!r}): unknown MIME type; use one of "
            f"{sorted(COMMENT_MIME_TYPES)}"
        )
        raise ConfigError(msg)
    return scanner


def comment_texts(source: str, scanner: re.Pattern[str]) -> list[str]:
    """The texts of the comments in ``source``, in order.

    Raises:
        UnterminatedCommentError: a block comment is opened and never closed.
    """
    found = []
    for match in scanner.finditer(source):
        groups = match.groupdict()
        if groups.get("open"):
            msg = f"unterminated block comment at offset {match.start()}: close it, or the file is not valid code"
            raise UnterminatedCommentError(msg)
        text = groups.get("line")
        if text is None:
            text = groups.get("block")
        if text is not None:
            found.append(text)
    return found


# Tags whose strings are not page text (BeautifulSoup gives them their own string classes).
_HIDDEN_TAGS = frozenset({"script", "style", "template", "rt", "rp"})
# Tags inside which whitespace is kept as it is.
_PRESERVE_TAGS = frozenset({"pre", "textarea"})
_ASCII_SPACES = str.maketrans("", "", " \n\t\f\r")


class _VisibleText(HTMLParser):
    """Collects page text as BeautifulSoup's ``get_text()`` (``html.parser``) does.

    Character data between two markup items is one string; a string of ASCII whitespace only
    becomes ``"\n"`` (or ``" "`` without a newline) outside ``<pre>``/``<textarea>``. Comments,
    doctypes and the strings of scripts, styles, templates and ruby annotations are not text.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pending: list[str] = []
        self._open: list[str] = []

    def _flush(self) -> None:
        if not self._pending:
            return
        data = "".join(self._pending)
        self._pending = []
        if not data.translate(_ASCII_SPACES) and not _PRESERVE_TAGS.intersection(self._open):
            data = "\n" if "\n" in data else " "
        if not _HIDDEN_TAGS.intersection(self._open):
            self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if tag in self._open:
            # Close it and anything left open inside it, as a tree builder would.
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self._pending.append(data)

    def handle_comment(self, data: str) -> None:
        self._flush()

    def handle_decl(self, decl: str) -> None:
        self._flush()

    def handle_pi(self, data: str) -> None:
        self._flush()

    def unknown_decl(self, data: str) -> None:
        self._flush()


def html_visible_text(source: str) -> str:
    """The text of an HTML page as BeautifulSoup's ``get_text()`` gives it, scripts and styles removed."""
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    parser._flush()
    return "".join(parser.parts)
