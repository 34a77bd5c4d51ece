"""The corpus generator: deterministic, its kinds are the truth, its corpora do what their users need."""

from __future__ import annotations

import hashlib
import re

import pytest

from curator_dask.errors import ConfigError
from curator_dask.examples.corpus import (
    EDGE_CASES,
    KINDS,
    MARKUP,
    WEB,
    WEB_JUNK,
    documents,
    near_duplicates,
    web_mix,
)
from curator_dask.examples.heuristic_english import english_heuristic_filters
from curator_dask.stages.deduplication.fuzzy.jaccard import jaccard
from curator_dask.stages.text.filters.langid import LangIdFilter
from curator_dask.stages.text.modifiers import UnicodeReformatter


def _digest(texts: object) -> str:
    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]  # type: ignore[arg-type]


def test_the_same_arguments_give_the_same_documents() -> None:
    first = documents(200, seed=4)
    assert first.equals(documents(200, seed=4))
    assert not first["text"].equals(documents(200, seed=5)["text"])
    assert list(first.columns) == ["id", "text", "kind"]
    assert first["id"].tolist() == [f"doc-{i:05d}" for i in range(200)]
    assert near_duplicates(50, seed=2).equals(near_duplicates(50, seed=2))
    assert not near_duplicates(50, seed=2)["text"].equals(near_duplicates(50, seed=3)["text"])


def test_the_test_corpora_are_the_ones_their_tests_were_checked_on() -> None:
    # The filter tests (batch == per-document, parity with NeMo Curator in .venv-interop) and the
    # modifier tests (each modifier changes a fair share) were checked on exactly these texts, which
    # are those of the generators they replaced. A change to a maker, a word table or the order of
    # draws shows here: re-run those tests (the parity one in .venv-interop), then update the digest.
    assert _digest(documents(300, seed=0, mix=EDGE_CASES, size=3000)["text"]) == "be84f6bbf20f5e4f"
    assert _digest(documents(200, seed=0, mix=MARKUP)["text"]) == "46e920f9a02dd3dc"


def test_each_document_is_of_a_kind_its_mix_names() -> None:
    edge = documents(300, seed=0, mix=EDGE_CASES)
    assert set(edge["kind"]) == set(EDGE_CASES)  # 300 draws reach each of the 12 kinds
    assert set(documents(1000, seed=1)["kind"]) == {"prose", *WEB_JUNK}
    assert set(documents(20, seed=1, mix=("bullets",))["kind"]) == {"bullets"}
    assert set(KINDS) >= set(WEB) | set(EDGE_CASES) | set(MARKUP)
    bullets = documents(20, seed=1, mix=("bullets",))["text"]
    assert all(line[0] in "•‣◦●○∙-*" for text in bullets for line in text.splitlines())


def test_web_mix_holds_the_junk_share_asked_for() -> None:
    assert web_mix(0.3) == WEB
    assert WEB.count("prose") / len(WEB) == pytest.approx(0.7)
    assert set(web_mix(0.0)) == {"prose"} and web_mix(1.0, kinds=("short",)) == ("short",)
    quarter = web_mix(0.25, kinds=("short", "numbers"))
    assert quarter.count("short") / len(quarter) == quarter.count("numbers") / len(quarter) == 0.125
    drawn = documents(2000, seed=9, mix=web_mix(0.25))
    assert (drawn["kind"] != "prose").mean() == pytest.approx(0.25, abs=0.05)  # 5 binomial sd at n=2000


@pytest.mark.parametrize("size", [600, 6000])
def test_prose_grows_paragraph_by_paragraph_to_its_target_length(size: int) -> None:
    # Each document draws a target between size // 2 and size + size // 3 and adds paragraphs
    # until their characters reach it: all but the last stay below the highest target.
    for text in documents(50, seed=2, mix=("prose",), size=size)["text"]:
        lengths = [len(p) for p in text.split("\n\n")]
        assert sum(lengths) >= size // 2 and sum(lengths[:-1]) < size + size // 3


def test_the_english_cascade_keeps_the_prose_and_removes_most_junk() -> None:
    """The sample corpus shows the main job at work: clean prose survives, junk mostly does not."""
    langid = LangIdFilter(lang="en")
    langid.load_model()
    fix = UnicodeReformatter()
    filters = [langid, *english_heuristic_filters()]
    docs = documents(400, seed=3)
    kept = [all(f.keep_document(f.score_document(fix.modify_document(t))) for f in filters) for t in docs["text"]]
    docs = docs.assign(kept=kept)
    assert docs[docs["kind"] == "prose"]["kept"].all()
    # Long bullet lists, a few links after a page of prose and one boilerplate line in a long
    # page are borderline by design (they pass in real crawls too): about one junk document in
    # ten is kept. Below 80% removed, the sample would no longer show the filters at work.
    junk = docs[docs["kind"] != "prose"]
    assert len(junk) > 80 and (~junk["kept"]).mean() >= 0.8


def test_near_duplicates_come_in_families_of_known_truth() -> None:
    corpus = near_duplicates(80, seed=6, duplicate_share=0.5)
    assert corpus["id"].is_unique and len(corpus) == 80
    assert (corpus["kind"] == "base").sum() == 40 and corpus["source"].nunique() == 40
    bases = corpus[corpus["kind"] == "base"].set_index("source")["text"]
    for _, row in corpus[corpus["kind"] != "base"].iterrows():
        similarity = jaccard(row["text"], bases[row["source"]], 24)
        assert similarity == 1.0 if row["kind"] == "copy" else 0.3 < similarity <= 1.0, (row["kind"], similarity)
    # Distinct families share (almost) no 24-character shingle.
    assert jaccard(bases.iloc[0], bases.iloc[1], 24) < 0.05


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: documents(-1), r"documents\(n=-1\): n must be a whole number >= 0"),
        (lambda: documents(5, size=0), r"documents\(size=0\): size must be a whole number of characters >= 1"),
        (
            lambda: documents(5, mix=("prose", "nope")),
            r"documents\(mix=\('prose', 'nope'\)\): mix must be a non-empty tuple of kind names, each one of "
            r"prose, ragged_prose, .*, markup \(unknown: 'nope'\)",
        ),
        (lambda: documents(5, mix="prose"), r"documents\(mix='prose'\): mix must be a non-empty tuple of kind"),
        (lambda: documents(5, mix=()), r"documents\(mix=\(\)\): mix must be a non-empty tuple"),
        (lambda: web_mix(1.5), r"web_mix\(junk=1.5\): junk must be a share between 0 and 1, such as 0.3"),
        (lambda: web_mix(0.3, kinds=("spam",)), r"web_mix\(kinds=\('spam',\)\): kinds must be .*unknown: 'spam'"),
        (lambda: near_duplicates(0), r"near_duplicates\(n=0\): n must be a whole number >= 1"),
        (lambda: near_duplicates(10, words=5), r"near_duplicates\(words=5\): words must be a whole number >= 6"),
        (
            lambda: near_duplicates(10, duplicate_share=2),
            r"near_duplicates\(duplicate_share=2\): duplicate_share must be a share between 0 and 1",
        ),
    ],
)
def test_bad_arguments_name_the_call_the_argument_and_the_allowed_values(call: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        call()  # type: ignore[operator]


def test_kind_names_in_the_error_are_every_kind() -> None:
    with pytest.raises(ConfigError) as info:
        documents(1, mix=("x",))
    listed = re.search(r"each one of (.*) \(unknown", str(info.value))
    assert listed is not None and tuple(listed.group(1).split(", ")) == KINDS
