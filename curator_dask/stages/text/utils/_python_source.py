"""Natural text in Python source: comments and docstrings (NeMo Curator's ``text_utils`` helpers).

``PythonCommentToCodeFilter`` scores a document by how much of it these are. Source that does not
parse gives ``None`` for the part that failed, with a warning, as in NeMo Curator.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
import warnings
from collections.abc import Iterator
from typing import IO

__all__ = ["NODE_TYPES", "get_comments", "get_comments_and_docstring", "get_docstrings", "parse_docstrings"]

# The nodes that carry docstrings, and the order their docstrings are listed in (modules last).
NODE_TYPES: dict[type[ast.AST], str] = {
    ast.ClassDef: "Class",
    ast.FunctionDef: "Function/Method",
    ast.Module: "Module",
}


def get_comments_and_docstring(
    source: str, comments: bool = True, clean_comments: bool = False
) -> tuple[str | None, str | None]:
    """The docstrings (joined by newlines) and the comments of ``source``.

    Args:
        source: Python code.
        comments: extract comments too; when False the comments are ``""``.
        clean_comments: remove the ``#`` characters from the comments.

    Returns:
        ``(docstrings, comments)``; either is None (with a warning) when the code does not
        parse or tokenize.
    """
    docstrings: str | None
    try:
        docstrings = "\n".join(get_docstrings(source))
    except Exception:
        docstrings = None
        warnings.warn("code couldn't be parsed due to compilation failure, no docstring is extracted", stacklevel=2)
    found: str | None = ""
    if comments:
        try:
            found = get_comments(source, clean=clean_comments)
        except Exception:
            found = None
            warnings.warn("tokenization error, no comment is extracted", stacklevel=2)
    return docstrings, found


def get_comments(s: str, clean: bool = False) -> str:
    """The comments of Python code ``s``, laid out as ``tokenize.untokenize`` lays them out."""
    tokens = tokenize.generate_tokens(io.StringIO(s).readline)
    found = [(tok.type, tok.string) for tok in tokens if tok.type == tokenize.COMMENT]
    result = tokenize.untokenize(found)
    return result.replace("#", "") if clean else result


def get_docstrings(source: str | IO[str], module: str = "<string>") -> list[str]:
    """The non-empty docstrings of classes, then functions and methods, then the module."""
    if hasattr(source, "read"):
        module = os.path.splitext(os.path.basename(getattr(source, "name", module)))[0]
        source = source.read()
    found = sorted(parse_docstrings(source), key=lambda item: (NODE_TYPES.get(type(item[0])), item[1] or ""))
    return [docstring for _, _, docstring in found if docstring]


def parse_docstrings(source: str) -> Iterator[tuple[ast.AST, str | None, str | None]]:
    """``(node, name, docstring)`` for the module and every class and function of ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, tuple(NODE_TYPES)):
            yield node, getattr(node, "name", None), ast.get_docstring(node)  # type: ignore[arg-type]
