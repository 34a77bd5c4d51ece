"""NeMo Curator's ``text_utils`` and ``constants`` names at their module paths, with its semantics."""

from __future__ import annotations

import logging

import pytest

from curator_dask.stages.text.utils import constants, get_language_name, text_utils
from curator_dask.stages.text.utils.text_utils import (
    count_alphabetic,
    get_comments,
    get_comments_and_docstring,
    get_docstrings,
    get_words,
    is_paragraph_indices_in_top_or_bottom_only,
    remove_punctuation,
)

NEMO_TEXT_UTILS = [
    "NODE_TYPES", "get_comments", "get_comments_and_docstring", "get_docstrings", "get_language_name", "get_ngrams",
    "get_paragraphs", "get_sentences", "get_word_splitter", "get_words", "is_paragraph_indices_in_top_or_bottom_only",
    "parse_docstrings", "remove_punctuation",
]  # fmt: skip
NEMO_CONSTANTS = [
    "bullet_list", "common_english_words", "ellipsis_marks", "end_marks", "policy_substrings", "regex_alpha",
    "regex_alphanum", "regex_digit", "regex_hash", "regex_paren", "regex_url", "white_space_list",
]  # fmt: skip


def test_every_nemo_name_is_public() -> None:
    assert set(NEMO_TEXT_UTILS) <= set(text_utils.__all__)
    assert set(NEMO_CONSTANTS) <= set(constants.__all__)


def test_words_and_their_start_positions() -> None:
    assert remove_punctuation("Hi, there! (ok)") == "Hi there ok"
    # Positions index the cleaned text (lower-cased, punctuation removed), as in NeMo Curator.
    assert get_words("Hello,  World! again") == (["hello", "world", "again"], [0, 7, 13])
    assert get_words(" lead") == (["lead"], [1])
    assert get_words("") == ([], []) and get_words("   ") == ([], [])


def test_top_or_bottom_only() -> None:
    assert is_paragraph_indices_in_top_or_bottom_only([0, 1], 5)
    assert is_paragraph_indices_in_top_or_bottom_only([3, 4], 5)
    assert not is_paragraph_indices_in_top_or_bottom_only([0, 2], 5)  # not one run
    assert not is_paragraph_indices_in_top_or_bottom_only([1, 2], 5)  # touches neither end
    assert not is_paragraph_indices_in_top_or_bottom_only([0, 1, 2], 3)  # everything


@pytest.mark.filterwarnings("ignore:code couldn.t be parsed")
def test_python_comments_and_docstrings() -> None:
    source = '"""Mod."""\nclass A:\n    """Cls."""\n    def f(self):  # note\n        """Fn."""\n'
    assert get_docstrings(source) == ["Cls.", "Fn.", "Mod."]  # classes, functions, then the module
    assert get_comments(source).strip() == "# note" and get_comments(source, clean=True).strip() == "note"
    assert get_comments_and_docstring(source, comments=False) == ("Cls.\nFn.\nMod.", "")
    with pytest.warns(UserWarning, match="no docstring is extracted"):
        assert get_comments_and_docstring("def (:", comments=False)[0] is None
    with pytest.warns(UserWarning, match="no comment is extracted"):
        assert get_comments_and_docstring("x = (")[1] is None


def test_regex_alpha_counts_unicode_alphabetic_characters() -> None:
    # Devanagari KA plus the vowel sign AA (Other_Alphabetic, not a letter to str.isalpha).
    text = "ab1 é\u0915\u093e!"
    assert count_alphabetic(text) == len(constants.regex_alpha.findall(text)) == 5
    assert constants.regex_alpha.search("12a") == "a" and constants.regex_alpha.search("12") is None
    assert constants.regex_url.findall("see https://x.org/a?b=1 <b>") == ["https://x.org/a?b=1"]


def test_language_name_without_iso639_returns_the_code(caplog: pytest.LogCaptureFixture) -> None:
    try:
        import iso639  # noqa: F401
    except ImportError:
        with caplog.at_level(logging.WARNING):
            assert get_language_name("de") == "de"
        assert "iso639 is not installed (pip install iso639-lang)" in caplog.text
    else:
        assert get_language_name("de") == "German"
    assert get_language_name("") == ""
