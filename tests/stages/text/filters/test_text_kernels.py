"""The compiled batch kernels against the array code they replace, and the cascade's shared views.

Every kernel must give exactly the numbers of the array code (kept as the fallback without numba)
and so the per-document scores; the shared per-batch views must never hand a filter stale values,
however many rows the filters before it dropped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.examples.heuristic_english import english_heuristic_filters
from curator_dask.stages.text.filters.heuristic import (
    NonAlphaNumericFilter,
    RepeatedLinesFilter,
    RepeatingDuplicateNGramsFilter,
    RepeatingTopNGramsFilter,
)
from curator_dask.stages.text.filters.heuristic.repetition.repetition import duplicate_ngram_chars, top_ngram_chars
from curator_dask.stages.text.filters.heuristic.string import _ALNUM_TABLE, _DIGIT_TABLE, _WHITE_SPACE_TABLE
from curator_dask.stages.text.utils.ngram_ids import kernels, number_ngrams
from curator_dask.stages.text.utils.text_column import TextColumn, clear_cache, text_column

pytestmark = pytest.mark.skipif(kernels() is None, reason="numba cannot be imported")

# Documents with no words, one word, one word repeated, words of every script and length, and
# every kind of whitespace Python's str.split() splits on.
TRICKY = [
    "",
    " ",
    "\n\n\t \r\n",
    "word",
    "a a a a a a a a a a a a a a",
    "a b a b a b a b a b a b a b a",
    "x" * 5000,
    ("y" * 1500 + " ") * 4,
    "é" * 10 + " ü ü ü ü ü ü ü ü ü ü ü",
    "\u3000word\u3000word\u00a0word\u2028word\x85word\x1cword",
    "中文 中文 中文 中文 中文 中文 中文 中文 中文 中文 中文",
    "😀 😀 😀 x 😀 😀 😀 x 😀 😀 😀",
    "one two three four five six seven eight nine ten eleven " * 3,
    "1 2 3 4 5 6 7 8 9 10 11 1 2 3 4 5 6 7 8 9 10 11 12",
    "   leading and trailing   \n",
    "Line one.\nLine two...\n• bullet\n\n\nLine one.\n",
]


@pytest.fixture(scope="module")
def docs(corpus: list[str]) -> list[str]:
    return corpus + TRICKY


def _column(texts: list[str]) -> TextColumn:
    clear_cache()
    return text_column(pd.Series(texts))


def test_ngram_numbering_is_the_array_codes(docs: list[str]) -> None:
    words = _column(docs).words()
    width = len(words.vocab) + 1
    compiled = array = words.ids
    for n in range(1, 12):
        compiled = number_ngrams(compiled, words.ids, words.doc, n, words.n_docs, width)
        array = number_ngrams(array, words.ids, words.doc, n, words.n_docs, width, compiled=False)
        np.testing.assert_array_equal(compiled, array, err_msg=f"order {n}")
        assert (compiled == words.ngram_ids(n)).all()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_duplicate_and_top_ngram_counts_are_the_array_codes(n: int, docs: list[str]) -> None:
    col = _column(docs)
    np.testing.assert_array_equal(
        duplicate_ngram_chars(col.words(), n), duplicate_ngram_chars(col.words(), n, compiled=False)
    )
    for settle in (None, 0.01, 0.2):
        np.testing.assert_array_equal(
            top_ngram_chars(col, n, settle), top_ngram_chars(col, n, settle, compiled=False), err_msg=f"{settle}"
        )


@pytest.mark.parametrize("table", [_ALNUM_TABLE, _DIGIT_TABLE, _WHITE_SPACE_TABLE], ids=["alnum", "digit", "space"])
def test_byte_counts_are_numpys_also_on_a_sliced_array(table: np.ndarray, docs: list[str]) -> None:
    col = _column(docs)
    np.testing.assert_array_equal(col.count_bytes(table), col.count_bytes(table, compiled=False))
    # A slice of a pyarrow array keeps the parent's buffers with an offset into them.
    arrow = pa.array(docs, type=pa.large_string()).slice(5, len(docs) - 9)
    sliced = TextColumn(arrow, pd.RangeIndex(len(arrow)))
    expected = [sum(int(table[b]) for b in t.encode()) for t in arrow.to_pylist()]
    assert sliced.count_bytes(table).tolist() == expected
    assert sliced.count_bytes(table, compiled=False).tolist() == expected


def _scores_equal(a: pd.Series, b: pd.Series) -> bool:
    return all(
        (isinstance(x, float) and math.isnan(x) and math.isnan(y)) or x == y
        for x, y in zip(a.tolist(), b.tolist(), strict=True)
    )


def test_a_cascade_sharing_views_scores_as_fresh_columns_and_per_document(docs: list[str]) -> None:
    # Scores from the views shared (and subset lazily) down the cascade, against scores from a
    # column built afresh for each filter, and against score_document.
    df = pd.DataFrame({"text": docs}, index=range(1000, 1000 + len(docs)))
    clear_cache()
    for flt in english_heuristic_filters():
        shared = flt.score_batch(df["text"])
        keep = flt.keep_batch(shared).to_numpy()
        assert (flt.decide_batch(df["text"]).to_numpy() == keep).all(), flt.name
        expected = pd.Series([flt.score_document(t) for t in df["text"]], index=df.index)
        assert _scores_equal(shared, expected), flt.name
        clear_cache()
        assert _scores_equal(flt.score_batch(df["text"]), expected), flt.name
        df = df[keep]  # a dropped row must never leave a stale view behind
    assert len(df) > 0


def test_views_built_early_and_used_late_follow_every_drop(docs: list[str]) -> None:
    texts = pd.Series(docs)
    clear_cache()
    RepeatedLinesFilter().score_batch(texts)  # builds lines, then nchar, words and n-grams 1..4
    NonAlphaNumericFilter().score_batch(texts)
    RepeatingTopNGramsFilter(n=4).score_batch(texts)
    for step in range(1, 6):  # five drops in a row before the lines and low n-gram orders are used again
        texts = texts[np.arange(len(texts)) % (step + 2) != 0]
        NonAlphaNumericFilter().score_batch(texts)
    for flt in (RepeatedLinesFilter(), RepeatingDuplicateNGramsFilter(n=2), RepeatingTopNGramsFilter(n=1)):
        assert _scores_equal(flt.score_batch(texts), pd.Series([flt.score_document(t) for t in texts])), flt.name


def test_same_labels_other_texts_are_never_taken_from_the_cache(docs: list[str]) -> None:
    clear_cache()
    flt = RepeatingDuplicateNGramsFilter(n=2)
    texts = pd.Series(docs)
    flt.score_batch(texts)
    kept = texts.iloc[::2]
    changed = pd.Series([t[::-1] for t in kept], index=kept.index)  # same labels, same lengths
    assert _scores_equal(flt.score_batch(changed), pd.Series([flt.score_document(t) for t in changed]))


def test_line_counts_from_split_lines_are_the_regex_counts(docs: list[str]) -> None:
    col = _column(docs)
    by_regex = col.line_count().copy()
    assert by_regex.tolist() == [len([ln for ln in t.split("\n") if ln.strip()]) for t in docs]
    col = _column(docs)
    col.lines()  # a repeated-lines filter split them: the count comes from those lines
    np.testing.assert_array_equal(col.line_count(), by_regex)


def test_shared_word_counts_are_read_only_also_after_a_drop() -> None:
    # Filters share one counts array per batch: a filter writing into it would change the others' scores.
    words = _column(["one two three", "four five", "six"]).words()
    for counts in (words.counts(), words.subset(np.array([True, False, True]), np.array([0, 0, 1])).counts()):
        with pytest.raises(ValueError, match="read-only"):
            counts[0] = 99
    assert words.counts().tolist() == [3, 2, 1]


@pytest.mark.parametrize("texts", [[], ["", " ", "\n\n", "\t\r\n "], ["one"]], ids=["no-rows", "no-words", "one-word"])
def test_batches_without_words_or_rows_score_as_per_document(texts: list[str]) -> None:
    for flt in english_heuristic_filters():
        clear_cache()
        batch = pd.Series(texts, dtype=object)
        expected = pd.Series([flt.score_document(t) for t in texts], dtype=object)
        assert _scores_equal(flt.score_batch(batch), expected), flt.name
        assert flt.decide_batch(batch).tolist() == [flt.keep_document(s) for s in expected], flt.name
