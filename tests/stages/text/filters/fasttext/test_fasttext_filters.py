"""``FastTextLangId`` and ``FastTextQualityFilter`` in process, on tiny models trained for the test."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys
from pathlib import Path

import fasttext
import numpy as np
import pandas as pd
import pytest

from curator_dask.errors import ConfigError, InputError, StageSetupError
from curator_dask.stages.text.filters import FastTextLangId, FastTextQualityFilter, ScoreFilter
from curator_dask.stages.text.filters.fasttext.fasttext_filters import uniform_draws
from curator_dask.tasks import DocumentBatch
from tests.stages.text.filters.fasttext.fasttext_parts import AWKWARD, LANGUAGES, QUALITY, documents, train_model


def _loaded(cls: type, **kwargs: object) -> FastTextLangId | FastTextQualityFilter:
    # The order ScoreFilter uses: the node check (setup_on_node), then the worker load (setup).
    filt = cls(**kwargs)
    filt.model_check_or_download()
    filt.load_model()
    return filt


def _texts(alphabets: dict[str, str]) -> pd.Series:
    held_out = [text for _, text in documents(alphabets, 60, seed=99)]
    return pd.Series(held_out + AWKWARD, index=[f"d{i}" for i in range(len(held_out) + len(AWKWARD))])


def _top(model: fasttext.FastText._FastText, text: str) -> tuple[str, float]:
    labels, probabilities = model.predict([text], k=1)
    return labels[0][0], probabilities[0][0].item()


def test_langid_scores_equal_fasttext_in_process(langid_model: Path) -> None:
    langid = _loaded(FastTextLangId, model_path=str(langid_model))
    texts = _texts(LANGUAGES)
    model = fasttext.load_model(str(langid_model))
    expected = []
    for text in texts:
        label, probability = _top(model, text.strip().replace("\n", " "))
        expected.append(str([probability, label.removeprefix("__label__")]))
    scores = langid.score_batch(texts)
    assert scores.tolist() == expected and scores.index.equals(texts.index)
    assert [langid.score_document(t) for t in texts] == expected
    truth = [label for label, _ in documents(LANGUAGES, 60, seed=99)]
    assert [eval(s)[1] for s in expected[: len(truth)]] == truth  # the tiny model really tells them apart


def test_langid_keeps_by_language_or_language_script_and_score(langid_model: Path) -> None:
    texts = _texts(LANGUAGES).iloc[:60]
    truth = np.array([label for label, _ in documents(LANGUAGES, 60, seed=99)])
    for lang, wanted in [("ENG", "eng_Latn"), ("deu_cyrl", "deu_Cyrl"), (["eng", "deu"], None)]:
        langid = _loaded(FastTextLangId, model_path=langid_model, lang=lang, min_langid_score=0.0)
        keep = langid.keep_batch(langid.score_batch(texts)).to_numpy()
        assert (keep.tolist() == (truth == wanted).tolist()) if wanted else keep.all()
    strict = _loaded(FastTextLangId, model_path=langid_model, min_langid_score=1.01)
    assert not strict.keep_batch(strict.score_batch(texts)).any()
    with pytest.raises(ConfigError, match=r"langid\.bin': the model has no language \['deu_latn'\]; it knows "
                       r"deu_cyrl, eng_latn\. Pass lang= some of those codes \(a language alone matches all its "
                       r"scripts\), or None\.$"):  # fmt: skip
        _loaded(FastTextLangId, model_path=langid_model, lang="deu_Latn")


def test_a_long_language_list_is_cut_in_the_error(tmp_path: Path) -> None:
    many = train_model(tmp_path / "many.bin", {f"l{i:02d}_Latn": "aeioulnrst" for i in range(35)}, lines=140)
    with pytest.raises(ConfigError, match=r"no language \['zz'\]; it knows l00_latn, l01_latn, .+, l29_latn, \.\.\. "
                       r"\(35 in all\)\. Pass lang="):  # fmt: skip
        _loaded(FastTextLangId, model_path=many, lang="zz")


def test_quality_scores_equal_fasttext_in_process(quality_model: Path) -> None:
    quality = _loaded(FastTextQualityFilter, model_path=quality_model)
    texts = _texts(QUALITY)
    model = fasttext.load_model(str(quality_model))
    expected = []
    for text in texts:
        label, probability = _top(model, text.replace("\n", " ").replace("__label__", " "))
        expected.append(probability if label == "__label__hq" else 1 - probability)
    scores = quality.score_batch(texts)
    assert scores.tolist() == expected and scores.index.equals(texts.index)
    assert [quality.score_document(t) for t in texts] == expected
    truth = [label for label, _ in documents(QUALITY, 60, seed=99)]
    assert [s > 0.5 for s in expected[: len(truth)]] == [label == "hq" for label in truth]
    lq = _loaded(FastTextQualityFilter, model_path=quality_model, label="__label__lq")
    assert np.allclose(lq.score_batch(texts), 1 - scores, atol=1e-12)


def test_quality_decisions_follow_pareto_and_are_pure_functions_of_the_score(quality_model: Path) -> None:
    state = np.random.get_state()[1].copy()  # type: ignore[index]
    quality = _loaded(FastTextQualityFilter, model_path=quality_model, alpha=3, seed=42)
    scores = pd.Series(np.linspace(0.0, 1.0, 20_001))
    keep = quality.keep_batch(scores)
    assert keep.tolist() == [quality.keep_document(s) for s in scores]
    shuffled = scores.sample(frac=1.0, random_state=0)
    assert quality.keep_batch(shuffled).equals(keep.loc[shuffled.index])  # order and batch do not matter
    assert pickle.loads(pickle.dumps(quality)).keep_batch(scores).equals(keep)
    # P(Pareto(alpha) > 1 - s) = (2 - s) ** -alpha; 20 001 draws put the mean within 4 standard errors.
    expected = (2.0 - scores) ** -3.0
    assert abs(keep.mean() - expected.mean()) < 4 * np.sqrt((expected * (1 - expected)).sum()) / len(scores)
    buckets = np.arange(len(scores)) // 2001  # and so does each tenth of the score range, within 3 %
    assert (keep.groupby(buckets).mean() - expected.groupby(buckets).mean()).abs().max() < 0.03
    assert keep.iloc[-1]  # a perfect score is always kept
    other = _loaded(FastTextQualityFilter, model_path=quality_model, seed=7).keep_batch(scores)
    assert 0.1 < (other != keep).mean() < 0.5  # another seed, other draws
    assert (np.random.get_state()[1] == state).all()  # type: ignore[index]  # NumPy's global generator untouched
    draws = uniform_draws(scores.to_numpy(), 42)
    assert ((draws > 0) & (draws < 1)).all() and abs(draws.mean() - 0.5) < 0.01


def test_empty_and_awkward_texts_are_scored_as_nemo_curator_scores_them(langid_model: Path) -> None:
    langid = _loaded(FastTextLangId, model_path=langid_model)
    awkward = pd.Series(AWKWARD)
    scores = langid.score_batch(awkward)
    assert scores.iloc[0] == scores.iloc[1] == scores.iloc[2]  # nothing but the end-of-line token is left
    assert all(0.0 < eval(s)[0] <= 1.0 for s in scores)
    batch = DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": AWKWARD}))
    assert ScoreFilter(langid, score_field="lang").process(batch).to_pandas()["lang"].tolist() == scores.tolist()
    with pytest.raises(InputError, match=r"^text column 'text' has 1 missing value\(s\), the first at index 1; "):
        ScoreFilter(langid).process(DocumentBatch(dataset_name="ds", data=pd.DataFrame({"text": ["a", None]})))


@pytest.mark.parametrize("cls", [FastTextLangId, FastTextQualityFilter])
def test_bad_model_paths_name_the_path_and_the_fix(cls: type, tmp_path: Path, langid_model: Path) -> None:
    owner = cls.__name__
    with pytest.raises(ConfigError, match=rf"^{owner}: model_path is required: the path of a fastText model to "):
        cls()
    missing = tmp_path / "nope.bin"
    at = re.escape(str(missing))
    with pytest.raises(FileNotFoundError, match=rf"^{owner}: fastText model file '{at}' not found \(looked at "
                       rf"'{at}' on node '.+'\)\. Pass model_path= the path of a supervised fastText model "
                       r"\(\.bin or \.ftz\) that every worker node can read: a shared filesystem path"):  # fmt: skip
        cls(model_path=missing).model_check_or_download()
    with pytest.raises(ConfigError, match=rf"^{owner}: fastText model file 'nope.bin' not found \(looked at '/"):
        cls(model_path="nope.bin").load_model()  # a relative path is shown as this node resolves it
    with pytest.raises(ConfigError, match=r"fastText model file '.+' is a directory, not a model file"):
        cls(model_path=tmp_path).model_check_or_download()
    (tmp_path / "words.txt").write_text("this is a text file, not a model\n")
    with pytest.raises(ConfigError, match=r"words\.txt' on node '.+' is not a fastText model: it lacks the fastText "
                       r"file header \(word vectors in \.vec text, a compressed file or an HTML error page have "
                       r"none\)\. Pass model_path="):  # fmt: skip
        cls(model_path=tmp_path / "words.txt").model_check_or_download()
    whole = langid_model.read_bytes()
    for name, data in [
        ("cut_dictionary.bin", whole[:100]),
        ("cut_matrix.bin", whole[:-50]),
        ("more.bin", whole + b"x"),
    ]:
        (tmp_path / name).write_bytes(data)  # fastText hangs on the first and loads the second wrong
        with pytest.raises(ConfigError, match=rf"^{owner}: fastText model file '.+{name}' on node '.+' is incomplete "
                           r"or damaged \(\d+ bytes, fewer or other than its header announces\), as a copy or "
                           r"download that stopped part way leaves it; fastText would hang reading it\. Copy the "
                           r"model file again\. Pass model_path="):  # fmt: skip
            cls(model_path=tmp_path / name).load_model()


def test_quantised_model_passes_the_file_checks_and_scores_as_fasttext(langid_model: Path, tmp_path: Path) -> None:
    model = fasttext.load_model(str(langid_model))
    model.quantize(dsub=2, qnorm=True)
    model.save_model(str(tmp_path / "langid.ftz"))
    langid = _loaded(FastTextLangId, model_path=tmp_path / "langid.ftz")
    texts = _texts(LANGUAGES)
    quantised = fasttext.load_model(str(tmp_path / "langid.ftz"))
    assert langid.score_batch(texts).tolist() == [langid.score_document(t) for t in texts]
    assert [eval(s)[0] for s in langid.score_batch(texts)] == [
        _top(quantised, t.strip().replace("\n", " "))[1] for t in texts
    ]
    whole = (tmp_path / "langid.ftz").read_bytes()
    for length in (200, len(whole) // 2, len(whole) - 1):  # in the dictionary, in the matrices, the last byte
        (tmp_path / "cut.ftz").write_bytes(whole[:length])  # fastText hangs on the first, loads the others wrong
        with pytest.raises(ConfigError, match="is incomplete or damaged"):
            FastTextLangId(model_path=tmp_path / "cut.ftz").model_check_or_download()


def test_word_vector_model_and_missing_quality_label_are_refused(tmp_path: Path, langid_model: Path) -> None:
    from tests.stages.text.filters.fasttext.fasttext_parts import train_word_vectors

    vectors = train_word_vectors(tmp_path / "vectors.bin")
    with pytest.raises(ConfigError, match=r"vectors\.bin' is a fastText word-vector model \(skipgram\), "
                       r"which cannot classify\. Pass model_path= a classifier trained with fasttext\."):  # fmt: skip
        _loaded(FastTextLangId, model_path=vectors)
    with pytest.raises(ConfigError, match=r"langid\.bin' has no label '__label__hq'; its labels are \['__label__"):
        _loaded(FastTextQualityFilter, model_path=langid_model)
    with pytest.raises(ConfigError, match=r"alpha must be a positive number \(a Pareto shape\), got 0"):
        FastTextQualityFilter(model_path=langid_model, alpha=0)


@pytest.mark.parametrize("cls", [FastTextLangId, FastTextQualityFilter])
def test_scoring_before_load_says_what_to_do_and_pickles_drop_the_model(cls: type, langid_model: Path) -> None:
    with pytest.raises(StageSetupError, match=rf"^{cls.__name__}: the fastText model is not loaded\. Wrap the "
                       r"filter in ScoreFilter \(its setup\(\) calls load_model\(\) once per worker\)"):  # fmt: skip
        cls(model_path=langid_model).score_document("text")
    label = {"label": "__label__eng_Latn"} if cls is FastTextQualityFilter else {}
    loaded = _loaded(cls, model_path=langid_model, **label)
    assert len(pickle.dumps(loaded)) < 2_000  # the model (about 170 kB) stays behind
    for clone in (pickle.loads(pickle.dumps(loaded)), copy.deepcopy(loaded)):
        with pytest.raises(StageSetupError, match="not loaded"):
            clone.score_document("text")
        clone.load_model()
        assert clone.score_document("aei lnr") == loaded.score_document("aei lnr")
    assert loaded.name == ("lang_id" if cls is FastTextLangId else "fasttext_quality_filter")


def test_importing_the_filters_does_not_import_fasttext() -> None:
    probe = (
        "import sys, curator_dask, curator_dask.stages.text.filters as f\n"
        "f.FastTextLangId(model_path='m.bin'), f.FastTextQualityFilter(model_path='m.bin')\n"
        "print(sorted(m for m in sys.modules if m == 'fasttext' or m.startswith('fasttext_')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"
