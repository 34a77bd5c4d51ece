"""Heuristic filters: hand-made documents with known outcomes, and batch path == per-document path."""

from __future__ import annotations

import math
import pickle

import pandas as pd
import pytest

from curator_dask.stages.text.filters import heuristic
from curator_dask.stages.text.filters.heuristic import (
    BoilerPlateStringFilter,
    BulletsFilter,
    CommonEnglishWordsFilter,
    EllipsisFilter,
    LongWordFilter,
    MeanWordLengthFilter,
    NonAlphaNumericFilter,
    NumbersFilter,
    ParenthesesFilter,
    PornographicUrlsFilter,
    PunctuationFilter,
    RepeatedLinesByCharFilter,
    RepeatedLinesFilter,
    RepeatedParagraphsByCharFilter,
    RepeatedParagraphsFilter,
    RepeatingDuplicateNGramsFilter,
    RepeatingTopNGramsFilter,
    SubstringFilter,
    SymbolsToWordsFilter,
    UrlsFilter,
    WhiteSpaceFilter,
    WordCountFilter,
    WordsWithoutAlphabetsFilter,
)
from curator_dask.stages.text.filters.heuristic.repetition.repetition import top_ngram_chars
from curator_dask.stages.text.utils.text_column import clear_cache, text_column

PROSE = "The cat sat on the mat and looked at the dog. " * 3

# (filter, text, expected score, expected keep)
CASES = [
    (NonAlphaNumericFilter(), "abc, def.", 1 / 9, True),
    (NonAlphaNumericFilter(), "$$$ %%% abc", 8 / 11, False),
    (NonAlphaNumericFilter(), "", 1.0, False),
    (NumbersFilter(), "abc 123", 3 / 7, False),
    (NumbersFilter(), "abcdefghij1", 1 / 11, True),
    (NumbersFilter(), "٣٤٥ abc", 0.0, True),  # only ASCII digits count, like regex's [[:digit:]]
    (UrlsFilter(), "see https://a.io/x now", 14 / 22, False),
    (UrlsFilter(), "no links at all", 0.0, True),
    (WhiteSpaceFilter(), "a b", 1 / 3, False),
    (WhiteSpaceFilter(), "abcdefgh i", 0.1, True),
    (WhiteSpaceFilter(), "   ", 1.0, False),
    (ParenthesesFilter(), "(a)", 2 / 3, False),
    (ParenthesesFilter(), "⟨x⟩ plus a long tail of text", 2 / 28, True),
    (BoilerPlateStringFilter(), "Read our Terms of Use.\n\nHello there.", 0.5, False),
    (BoilerPlateStringFilter(), "a\n\nb\n\nc\n\nsee the privacy policy", 0.25, True),
    (BoilerPlateStringFilter(), "fine text\n\nLorem Ipsum dolor", 1.0, False),
    (PornographicUrlsFilter(), "visit http://porn.example.com today", 1, False),
    (PornographicUrlsFilter(), "the word porn without a link", 0, True),
    (SubstringFilter("Hi", "prefix"), "Hi there", 1, True),
    (SubstringFilter("Hi", "suffix"), "Hi there", 0, False),
    (SubstringFilter("the", "any"), "Hi there", 1, True),
    (BulletsFilter(), "• a\n• b", 1.0, False),
    (BulletsFilter(), " ◦ a\nplain\n\n", 0.5, True),
    (PunctuationFilter(), "no mark\nnone here\nnor here", 1.0, False),
    (PunctuationFilter(), "Ends well.  \nAsks?\nno", 1 / 3, True),
    (EllipsisFilter(), "one...\ntwo…\nREAD MORE \nfour", 0.75, False),
    (EllipsisFilter(), "one.\ntwo\nthree\nfour...", 0.25, True),
    (SymbolsToWordsFilter(), "#tag ... # word", 0.5, False),
    (SymbolsToWordsFilter(), "## #a a b c d e f g h i j", 0.0, True),
    (LongWordFilter(), "short " + "x" * 1001, 1001, False),
    (LongWordFilter(max_word_length=5), "tiny words", 5, True),
    (WordCountFilter(min_words=2, max_words=3), "one two", 2, True),
    (WordCountFilter(min_words=2, max_words=3), "one two three four", 4, False),
    (WordCountFilter(), "", 0, False),
    (MeanWordLengthFilter(), "aa bbbb", 3.0, True),
    (MeanWordLengthFilter(), "a b c", 1.0, False),
    (CommonEnglishWordsFilter(), "the cat and the dog", 2, True),
    (CommonEnglishWordsFilter(stop_at_false=False), "the cat and the dog", 3, True),
    (CommonEnglishWordsFilter(), "THE CAT AND", 0, False),
    (WordsWithoutAlphabetsFilter(), "123 456 abc", 1 / 3, False),
    (WordsWithoutAlphabetsFilter(), "यह ा Ⅳ 1", 0.75, False),  # combining sign and letter number are alphabetic
    (RepeatedLinesFilter(), "a\na\na\nb", 0.5, False),
    (RepeatedLinesFilter(), "a\nb\n\nc", 1.0, True),
    (RepeatedParagraphsFilter(), "p\n\np\n\nq", 2 / 3, False),
    (RepeatedLinesByCharFilter(), "aaaa\naaaa\nb", 5 / 9, False),
    (RepeatedParagraphsByCharFilter(), "x\n\ny", 1.0, True),
    (RepeatingTopNGramsFilter(), "a b a b a b", 9 / 11, False),
    (RepeatingTopNGramsFilter(), "one", 1.0, False),
    (RepeatingDuplicateNGramsFilter(), "a b c a b", 3 / 9, False),
    (RepeatingDuplicateNGramsFilter(n=3), "x y z x y z", 5 / 11, False),
    (RepeatingDuplicateNGramsFilter(), PROSE, 91 / len(PROSE), False),
]


@pytest.mark.parametrize(("flt", "text", "score", "keep"), CASES, ids=lambda v: getattr(v, "name", None))
def test_known_scores_and_decisions(flt: heuristic.DocumentFilter, text: str, score: float, keep: bool) -> None:
    assert flt.score_document(text) == pytest.approx(score, abs=1e-15)
    assert flt.keep_document(flt.score_document(text)) is keep
    clear_cache()
    batch = flt.score_batch(pd.Series([text, text], index=[7, 3]))
    assert list(batch.index) == [7, 3]
    assert batch.iloc[0] == pytest.approx(score, abs=1e-15)
    assert flt.keep_batch(batch).tolist() == [keep, keep]


@pytest.mark.parametrize(
    "flt",
    [SymbolsToWordsFilter(), BulletsFilter(), PunctuationFilter(), EllipsisFilter(), LongWordFilter(),
     MeanWordLengthFilter(), WordsWithoutAlphabetsFilter(), RepeatedLinesFilter(), RepeatedLinesByCharFilter(),
     RepeatedParagraphsByCharFilter()],
    ids=lambda f: f.name,
)
@pytest.mark.parametrize("text", ["", "   \n\t ", "\n\n"])
def test_documents_nemo_cannot_score_are_nan_and_dropped(flt: heuristic.DocumentFilter, text: str) -> None:
    # NeMo Curator raises ZeroDivisionError/ValueError here; one such row must not fail a batch.
    if isinstance(flt, RepeatedParagraphsByCharFilter) and text.strip(" \t"):
        text = "\n\n"
    score = flt.score_document(text)
    if isinstance(flt, RepeatedParagraphsByCharFilter) and text == "   \n\t ":
        assert score == 1.0
        return
    assert math.isnan(score)
    assert flt.keep_document(score) is False
    assert math.isnan(flt.score_batch(pd.Series([text])).iloc[0])


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b or abs(float(a) - float(b)) <= 1e-12  # type: ignore[arg-type]


ALL_FILTERS = [getattr(heuristic, n)() for n in heuristic.__all__ if n != "SubstringFilter"] + [
    SubstringFilter("The", "prefix"),
    SubstringFilter(".", "suffix"),
    SubstringFilter("of the", "any"),
    CommonEnglishWordsFilter(min_num_common_words=3, stop_at_false=False),
    *[RepeatingTopNGramsFilter(n=n) for n in (1, 3, 4)],
    *[RepeatingDuplicateNGramsFilter(n=n) for n in (1, 5, 10)],
]


@pytest.mark.parametrize("flt", ALL_FILTERS, ids=lambda f: f.name)
def test_batch_path_equals_per_document_path(flt: heuristic.DocumentFilter, corpus: list[str]) -> None:
    clear_cache()
    texts = pd.Series(corpus, index=range(100, 100 + len(corpus)))
    scores = flt.score_batch(texts)
    keep = flt.keep_batch(scores)
    for i, text in enumerate(corpus):
        expected = flt.score_document(text)
        assert _same(expected, scores.iloc[i]), (i, text[:60], expected, scores.iloc[i])
        assert bool(keep.iloc[i]) is flt.keep_document(expected), (i, text[:60])


# Documents whose most frequent n-grams tie while removing very different shares of the text, so
# that a low cutoff keeps or drops them depending on which candidate NeMo's set order picks.
TIES = [
    "alphabetical bookkeeping x y alphabetical bookkeeping x y",
    "x y z alphabetical bookkeeping committee x y z alphabetical bookkeeping committee",
    "a b c d extraordinarily long words here a b c d extraordinarily long words here end",
    " ".join(f"w{i}" for i in range(40)) + " " + "verylongwordindeed " * 2,
    "the cat the dog the cat the dog the bird",
]
DECIDING = ALL_FILTERS + [
    RepeatingTopNGramsFilter(n=n, max_repeating_ngram_ratio=r) for n in (2, 3, 4) for r in (0.01, 0.03, 0.1, 0.5)
]


@pytest.mark.parametrize("flt", DECIDING, ids=lambda f: f.name)
def test_decisions_without_scores_equal_the_per_document_decisions(
    flt: heuristic.DocumentFilter, corpus: list[str]
) -> None:
    clear_cache()
    docs = corpus + TIES
    keep = flt.decide_batch(pd.Series(docs, index=range(7, 7 + len(docs))))
    assert keep.index.tolist() == list(range(7, 7 + len(docs)))
    assert keep.tolist() == [flt.keep_document(flt.score_document(t)) for t in docs]


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("cutoff", [0.01, 0.05, 0.2])
def test_settled_top_ngram_counts_bound_the_exact_ones_below_the_cutoff(
    n: int, cutoff: float, corpus: list[str]
) -> None:
    col = text_column(pd.Series(corpus + TIES))
    exact, settled = top_ngram_chars(col, n), top_ngram_chars(col, n, settle_below=cutoff)
    nchar = col.nchar()
    differ = exact != settled
    assert (settled[differ] > exact[differ]).all()
    assert (settled[differ] / nchar[differ] <= cutoff).all()


def test_cache_reuses_views_for_a_filtered_subset_and_stays_correct(corpus: list[str]) -> None:
    clear_cache()
    texts = pd.Series(corpus)
    flt = RepeatingDuplicateNGramsFilter(n=3)
    full = flt.score_batch(texts)
    subset = texts[texts.str.len() % 3 == 0]
    again = flt.score_batch(subset)
    assert again.tolist() == full[subset.index].tolist()
    # Same labels, other content: the cache must notice and recompute.
    changed = pd.Series([t + " extra words here" for t in subset], index=subset.index)
    assert flt.score_batch(changed).tolist() == [flt.score_document(t) for t in changed]


def test_filters_pickle_and_keep_their_names() -> None:
    for flt in ALL_FILTERS:
        clone = pickle.loads(pickle.dumps(flt))
        assert clone.name == flt.name
        assert clone.score_document("The cat and the dog.") == flt.score_document("The cat and the dog.")


def test_nemo_names_and_defaults() -> None:
    assert RepeatingTopNGramsFilter(n=3).name == "repeating_top_3grams"
    assert RepeatingDuplicateNGramsFilter(n=5).name == "repeating_dup_5gram"
    assert WordCountFilter().keep_document(50) and not WordCountFilter().keep_document(49)
    assert UrlsFilter(url_regex=r"www\.\S+").score_document("go www.x.io") == 8 / 11
    with pytest.raises(ValueError, match="Invalid position"):
        SubstringFilter("x", "middle")  # type: ignore[arg-type]


def test_public_names_are_sorted_and_importable() -> None:
    from curator_dask.stages.text import filters
    from curator_dask.stages.text.filters.heuristic import repetition, string

    for module in (filters, heuristic, string, repetition):
        assert list(module.__all__) == sorted(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
    assert len(heuristic.__all__) == 23
