"""Same scores, decisions, constants and text helpers as NeMo Curator's (skipped when it is not installed)."""

from __future__ import annotations

import math

import pytest

import curator_dask.stages.text.filters.heuristic as ours
from curator_dask.stages.text.utils import constants, text_utils

string = pytest.importorskip("nemo_curator.stages.text.filters.heuristic.string")
repetition = pytest.importorskip("nemo_curator.stages.text.filters.heuristic.repetition")
nemo_constants = pytest.importorskip("nemo_curator.stages.text.utils.constants")
nemo_text_utils = pytest.importorskip("nemo_curator.stages.text.utils.text_utils")


@pytest.mark.parametrize("name", [n for n in ours.__all__ if n != "SubstringFilter"])
def test_matches_nemo_curator(name: str, corpus: list[str]) -> None:
    theirs = (getattr(string, name, None) or getattr(repetition, name))()
    mine = getattr(ours, name)()
    assert mine.name == theirs.name
    for text in corpus:
        try:
            expected = theirs.score_document(text)
        except (ZeroDivisionError, ValueError):
            assert math.isnan(mine.score_document(text))
            continue
        if name == "RepeatingTopNGramsFilter":  # NeMo breaks ties in set order, i.e. by the hash seed
            assert mine.score_document(text) in _top_ngram_scores(text, expected)
        else:
            assert mine.score_document(text) == expected
        assert mine.keep_document(expected) == theirs.keep_document(expected)


def _top_ngram_scores(text: str, nemo_score: float, n: int = 2) -> set[float]:
    """Every score NeMo's RepeatingTopNGramsFilter can give ``text``: one per most frequent n-gram."""
    words = nemo_text_utils.get_word_splitter("en")(text.strip())
    if len(words) < n or not text:
        return {nemo_score}
    ngrams = nemo_text_utils.get_ngrams(words, n)
    counts = {g: ngrams.count(g) for g in set(ngrams)}
    top = max(counts.values())
    return {(len(text) - len(text.replace(" ".join(g), ""))) / len(text) for g, c in counts.items() if c == top}


# NeMo Curator's word lists and marks (stages/text/utils/constants.py), by NeMo's names.
NEMO_CONSTANTS = [
    "bullet_list", "common_english_words", "ellipsis_marks", "end_marks", "policy_substrings", "white_space_list"
]  # fmt: skip


@pytest.mark.parametrize("name", NEMO_CONSTANTS)
def test_constants_have_nemo_curators_names_and_values(name: str) -> None:
    mine = getattr(constants, name)
    assert type(mine)(getattr(nemo_constants, name)) == mine  # ours are frozen: a tuple or a frozenset


def test_patterns_match_what_nemo_curators_match() -> None:
    for name in ("regex_alphanum", "regex_url", "regex_paren", "regex_hash"):
        assert getattr(constants, name).pattern == getattr(nemo_constants, name).pattern, name
    # regex's [[:digit:]] and [[:alpha:]] against ours, over every code point.
    every = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    assert constants.regex_digit.findall(every) == nemo_constants.regex_digit.findall(every)
    assert [ch for ch in every if text_utils.has_alphabetic(ch)] == nemo_constants.regex_alpha.findall(every)


def test_text_helpers_split_as_nemo_curators(corpus: list[str]) -> None:
    for text in corpus:
        assert text_utils.get_paragraphs(text) == nemo_text_utils.get_paragraphs(text)
        assert text_utils.get_sentences(text) == nemo_text_utils.get_sentences(text)
        words = text_utils.get_word_splitter("en")(text)
        assert words == nemo_text_utils.get_word_splitter("en")(text)
        assert text_utils.get_ngrams(words, 3) == nemo_text_utils.get_ngrams(words, 3)
