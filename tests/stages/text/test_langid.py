"""``LangIdFilter``: py3langid language identification with NeMo Curator's score format."""

# Confusable characters (mojibake, full-width letters, CJK punctuation) are the test data here.
# ruff: noqa: RUF001

from __future__ import annotations

import copy
import pickle
import sys
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.stages.text.filters.langid import LangIdFilter

SENTENCES = {
    "en": "The committee will publish its final report on the new railway line next spring, after hearing residents.",
    "de": "Der Ausschuss wird seinen Abschlussbericht über die neue Bahnstrecke im nächsten Frühjahr veröffentlichen.",
    "fr": "Le comité publiera son rapport final sur la nouvelle ligne de chemin de fer au printemps prochain.",
    "es": "El comité publicará su informe final sobre la nueva línea de ferrocarril la próxima primavera.",
    "zh": "委员会将在听取居民意见后，于明年春天发布关于新铁路线的最终报告。",
}


def _loaded(**kwargs: object) -> LangIdFilter:
    # The order ScoreFilter uses: the node check (setup_on_node), then the worker load (setup).
    langid = LangIdFilter(**kwargs)  # type: ignore[arg-type]
    langid.model_check_or_download()
    langid.load_model()
    return langid


@pytest.fixture(scope="module")
def any_lang() -> LangIdFilter:
    return _loaded()


@pytest.mark.parametrize("expected", sorted(SENTENCES))
def test_labels_real_sentences(any_lang: LangIdFilter, expected: str) -> None:
    score = any_lang.score_document(SENTENCES[expected])
    probability, lang = eval(score)  # NeMo Curator's "[score, 'lang']" string
    assert lang == expected
    assert 0.5 < probability <= 1.0
    assert any_lang.keep_document(score)


def test_keep_decisions_by_language_and_score() -> None:
    texts = pd.Series(list(SENTENCES.values()), index=list(SENTENCES))
    english = _loaded(lang="en")
    assert english.keep_batch(english.score_batch(texts)).to_dict() == {
        "en": True,
        "de": False,
        "fr": False,
        "es": False,
        "zh": False,
    }
    two = _loaded(lang=["DE", "fr"])
    assert two.keep_batch(two.score_batch(texts))[lambda s: s].index.tolist() == ["de", "fr"]
    strict = _loaded(min_langid_score=0.9999)
    assert not strict.keep_document("[0.99, 'en']")
    assert strict.keep_document([0.99995, "en"])


def test_batch_equals_per_document(any_lang: LangIdFilter) -> None:
    texts = pd.Series([*SENTENCES.values(), "", "  \n ", "12345", "Hello\nworld", *SENTENCES.values()], dtype="str")
    expected = [any_lang.score_document(t) for t in texts]
    scores = any_lang.score_batch(texts)
    assert scores.tolist() == expected and scores.index.equals(texts.index)
    for langid in (any_lang, LangIdFilter(lang="en", min_langid_score=0.9)):
        assert langid.keep_batch(scores).tolist() == [langid.keep_document(s) for s in expected]
    as_lists = pd.Series([eval(s) for s in expected], dtype=object)
    assert any_lang.keep_batch(as_lists).tolist() == [any_lang.keep_document(s) for s in expected]
    assert not any_lang.keep_document(any_lang.score_document(""))  # no features: uniform, low score


def test_language_only_code_matches_every_script() -> None:
    assert LangIdFilter(lang="sr").keep_document("[0.9, 'sr_Latn']")
    assert LangIdFilter(lang="SR_latn").keep_document("[0.9, 'sr_Latn']")
    assert not LangIdFilter(lang="sr_Cyrl").keep_document("[0.9, 'sr_Latn']")
    with pytest.raises(TypeError, match="2-item list"):
        LangIdFilter().keep_document([0.9])


def test_wrong_model_path_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.npz.xz"
    langid = LangIdFilter(model_path=missing)
    with pytest.raises(FileNotFoundError, match=r"nope\.npz\.xz.*model_path="):
        langid.model_check_or_download()
    with pytest.raises(FileNotFoundError, match="not found"):
        langid.load_model()


def test_missing_package_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "py3langid", None)
    with pytest.raises(ImportError, match="pip install py3langid"):
        LangIdFilter().model_check_or_download()


def test_unknown_language_code_fails_at_load() -> None:
    with pytest.raises(ValueError, match=r"no language \['xx'\]"):
        _loaded(lang=["en", "xx"])


def test_scoring_before_load_model_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="load_model"):
        LangIdFilter().score_document("text")


def test_pickling_and_copying_drop_the_loaded_model(any_lang: LangIdFilter) -> None:
    shipped = pickle.loads(pickle.dumps(any_lang))
    assert len(pickle.dumps(any_lang)) < 10_000
    assert any_lang.score_document(SENTENCES["en"])  # the original keeps its model
    for clone in (shipped, copy.deepcopy(any_lang)):
        with pytest.raises(RuntimeError, match="not loaded"):
            clone.score_document("text")
        clone.load_model()
        assert clone.score_document(SENTENCES["fr"]) == any_lang.score_document(SENTENCES["fr"])
    assert any_lang.name == "lang_id"
