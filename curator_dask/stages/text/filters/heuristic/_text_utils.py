"""Per-document text helpers with NeMo Curator's exact semantics (``stages/text/utils/text_utils.py``)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["get_ngrams", "get_paragraphs", "get_sentences", "get_word_splitter", "is_default_splitter"]


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
