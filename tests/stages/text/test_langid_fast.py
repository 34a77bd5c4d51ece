"""The compiled py3langid walk gives py3langid's labels and scores exactly, on tricky and generated texts."""

# Confusable characters are the test data here.
# ruff: noqa: RUF001

from __future__ import annotations

import random
import threading
from pathlib import Path

import pandas as pd
import pytest
from py3langid.langid import LanguageIdentifier

from curator_dask.examples.corpus import EDGE_CASES, MARKUP, documents
from curator_dask.stages.text.filters._langid_fast import fast_identifier
from curator_dask.stages.text.filters.langid import LangIdFilter, _packaged_model_path
from tests.broken_numba import run_with_broken_numba

TRICKY = [
    "",
    " ",
    "\n\t",
    "x",
    "1234 5678 90",
    "!!!???...",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "The committee will publish its final report next spring.",
    "Der Ausschuss wird seinen Abschlussbericht im nächsten Frühjahr veröffentlichen.",
    "委员会将在听取居民意见后于明年春天发布关于新铁路线的最终报告。",
    "東京は日本の首都です。カタカナ、ひらがな。",
    "Комитет опубликует окончательный доклад весной.",
    "Ελληνικά κείμενα εδώ και εκεί.",
    "مرحبا بالعالم، هذا نص عربي.",
    "emoji 😀🎉 and a lone surrogate \ud83d in the middle",
    "NUL \x00 and controls \x07\x1b[0m",
    "caf\u00c3\u00a9 mojibake and e\u0301 combining (NFC matters)",
    "ｆｕｌｌ ｗｉｄｔｈ ｔｅｘｔ",
    "word " * 5000,
    "a" * 20000,
]


@pytest.fixture(scope="module")
def identifiers() -> tuple[LanguageIdentifier, LanguageIdentifier]:
    path = str(_packaged_model_path())
    fast = fast_identifier(path, norm_probs=True)
    assert type(fast).__name__ == "FastIdentifier"
    return LanguageIdentifier.from_model_file(path, norm_probs=True), fast


def _random_texts(n: int) -> list[str]:
    rng = random.Random(3)
    alphabet = "abcdefghij klmnopqrstuvwxyz.,ÄÖÜßéèçñ ЖЩЯ中文字 αβγ\n"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(n)]


def test_tricky_random_and_generated_texts_get_py3langids_labels_and_scores(
    identifiers: tuple[LanguageIdentifier, LanguageIdentifier],
) -> None:
    reference, fast = identifiers
    texts = (
        TRICKY
        + _random_texts(300)
        + documents(150, seed=1)["text"].tolist()
        + documents(100, seed=2, mix=EDGE_CASES)["text"].tolist()
        + documents(100, seed=3, mix=MARKUP)["text"].tolist()
    )
    expected = [reference.classify(t) for t in texts]
    assert fast.classify_many(texts) == expected
    assert [fast.classify(t) for t in texts[:60]] == expected[:60]
    assert [fast.rank(t) for t in TRICKY] == [reference.rank(t) for t in TRICKY]


def test_restricted_languages_use_the_restricted_table(
    identifiers: tuple[LanguageIdentifier, LanguageIdentifier],
) -> None:
    path = str(_packaged_model_path())
    reference, fast = LanguageIdentifier.from_model_file(path, norm_probs=True), fast_identifier(path, True)
    reference.set_languages(["de", "fr", "it"])
    fast.set_languages(["de", "fr", "it"])
    assert fast.classify_many(TRICKY) == [reference.classify(t) for t in TRICKY]


def test_threads_sharing_one_identifier_get_their_own_results(
    identifiers: tuple[LanguageIdentifier, LanguageIdentifier],
) -> None:
    reference, fast = identifiers
    batches = [_random_texts(80)[i::4] + TRICKY[i::4] for i in range(4)]
    results: dict[int, list[tuple[str, float]]] = {}

    def run(i: int) -> None:
        for _ in range(5):
            results[i] = fast.classify_many(batches[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(4)] == [[reference.classify(t) for t in b] for b in batches]


def test_filter_scores_are_py3langids_in_nemos_format(
    identifiers: tuple[LanguageIdentifier, LanguageIdentifier],
) -> None:
    reference, _ = identifiers
    flt = LangIdFilter(lang="en")
    flt.load_model()
    texts = pd.Series(TRICKY + TRICKY[:5], index=range(50, 50 + len(TRICKY) + 5), dtype=object)
    scores = flt.score_batch(texts)
    expected = [str([float(s), lang]) for lang, s in (reference.classify(t.strip().replace("\n", " ")) for t in texts)]
    assert scores.tolist() == expected
    assert scores.index.equals(texts.index)


def test_a_numba_that_cannot_be_imported_leaves_py3langids_own_identifier(tmp_path: Path) -> None:
    code = (
        "import warnings\n"
        "from curator_dask.stages.text.filters.langid import LangIdFilter\n"
        "f = LangIdFilter()\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    f.load_model()\n"
        "print(caught[0].message)\n"
        "print(type(f._identifier).__name__, f.score_document('The committee will publish its report.'))\n"
    )
    warning, result = run_with_broken_numba(tmp_path, code).splitlines()
    assert warning == (
        "LangIdFilter: using py3langid's own classifier (same results, about 5x slower): numba cannot be "
        "imported (numba needs NumPy 9.9 or less); fix: `pip install -U numba`"
    )
    assert result.startswith("LanguageIdentifier [")
    assert result.endswith("'en']")
