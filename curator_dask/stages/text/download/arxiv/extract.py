"""``ArxivExtractor``: a paper's text from its LaTeX sources, cleaned as NeMo Curator cleans them.

Per ``.tex`` file: everything before the first sectioning command (``\\chapter``, ``\\part``,
``\\section`` ... ``\\subparagraph``) is dropped (a file without one contributes nothing); comment
lines and in-line comments go; everything from ``\\appendix``, a references / bibliography
environment or ``\\bibliography{...}`` on is dropped; macros defined without arguments
(``\\newcommand{\\R}{\\mathbb{R}}``, ``\\def\\eps{\\varepsilon}``) in any file of the paper are
expanded. The files' results are joined with newlines.

Two of NeMo Curator's regular expressions are corrected here: its in-line comment rule also
deletes the character before the ``%`` (``50%`` loses its ``0``), and a missing ``|`` fuses its
``\\paragraph`` and ``\\subparagraph`` alternatives, so neither starts the text on its own.
"""

from __future__ import annotations

import re
from typing import Any

from curator_dask.stages.text.download.base import DocumentExtractor

__all__ = ["ArxivExtractor"]

_SECTIONING = "|".join(
    rf"\\{name}\b\*?(?:\[.*?\])?\{{.*?\}}"
    for name in ("chapter", "part", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
)
_BEFORE_FIRST_SECTION = re.compile(rf"^.*?(?={_SECTIONING})", flags=re.DOTALL)
_HAS_SECTION = re.compile(_SECTIONING, flags=re.DOTALL)
_COMMENT_LINE = re.compile(r"^%.*\n?", flags=re.MULTILINE)
_INLINE_COMMENT = re.compile(r"(?<!\\)%.+$", flags=re.MULTILINE)
_TAIL = re.compile(
    r"(?:\\appendix|\\begin\{references\}|\\begin\{REFERENCES\}|\\begin\{thebibliography\}|\\bibliography\{.*\}).*$",
    flags=re.DOTALL,
)
# \newcommand{\name}{value} / \newcommand*{...} and \def\name{value}, one definition per line.
_NEWCOMMAND = re.compile(r"\\\bnewcommand\b\*?\{(\\[a-zA-Z0-9]+?)\}\{(.*?)\}$", flags=re.MULTILINE)
_DEF = re.compile(r"\\def\s*(\\[a-zA-Z0-9]+?)\s*\{(.*?)\}$", flags=re.MULTILINE)


def _argument_free_macros(sources: list[str]) -> dict[str, str]:
    macros: dict[str, str] = {}
    for source in sources:
        for pattern in (_NEWCOMMAND, _DEF):
            macros.update((m.group(1), m.group(2)) for m in pattern.finditer(source))
    return macros


def _clean(source: str, macros: dict[str, str]) -> str:
    if not _HAS_SECTION.search(source):
        return ""
    text = _BEFORE_FIRST_SECTION.sub("", source, count=1)
    text = _COMMENT_LINE.sub("", text)
    text = _INLINE_COMMENT.sub("", text)
    text = _TAIL.sub("", text)
    for name, value in macros.items():
        # Only the whole macro name: \R must not expand inside \Rightarrow. Backslashes in the value
        # are doubled so that re.sub inserts it literally.
        text = re.sub(re.escape(name) + r"(?=[^a-zA-Z0-9])", value.replace("\\", "\\\\"), text)
    return text


class ArxivExtractor(DocumentExtractor):
    """Turns a paper's ``.tex`` sources into its text (see the module docstring).

    Args:
        keep_metadata: also return the paper's ``id`` and ``source_id`` (the bulk tar). NeMo
            Curator returns only ``text``, which is the default.
    """

    def __init__(self, keep_metadata: bool = False) -> None:
        super().__init__()
        self.keep_metadata = keep_metadata

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """``{"text": ...}`` (with ``id`` and ``source_id`` when asked), or ``None`` when nothing is left."""
        sources = record.get("content")
        if not sources:
            return None
        macros = _argument_free_macros(list(sources))
        text = "\n".join(_clean(source, macros) for source in sources)
        if not text:
            return None
        if self.keep_metadata:
            return {"text": text, "id": record.get("id"), "source_id": record.get("source_id")}
        return {"text": text}

    def input_columns(self) -> list[str]:
        return ["id", "source_id", "content"]

    def output_columns(self) -> list[str]:
        return ["text", "id", "source_id"] if self.keep_metadata else ["text"]
