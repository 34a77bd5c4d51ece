"""Our fastText filters against NeMo Curator 1.4's, on the same tiny models and documents.

Runs only where ``nemo_curator`` is installed (CI: ``.venv-interop``). The models are trained for
the test (``tests/stages/text/filters/fasttext/fasttext_parts.py``); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from nemo_curator.pipeline import Pipeline as NemoPipeline
from nemo_curator.stages.text.filters import ScoreFilter as NemoScoreFilter
from nemo_curator.stages.text.filters.fasttext import FastTextLangId as NemoLangId
from nemo_curator.stages.text.filters.fasttext import FastTextQualityFilter as NemoQuality
from nemo_curator.tasks import DocumentBatch as NemoBatch

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import FastTextLangId, FastTextQualityFilter, ScoreFilter
from curator_dask.tasks import DocumentBatch
from tests.stages.text.filters.fasttext.fasttext_parts import AWKWARD, LANGUAGES, QUALITY, documents, train_model


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("nemo_fasttext")
    return {
        "langid": train_model(root / "langid.bin", LANGUAGES),
        "quality": train_model(root / "quality.bin", QUALITY),
    }


def _texts(alphabets: dict[str, str]) -> list[str]:
    return [text for _, text in documents(alphabets, 120, seed=11)] + AWKWARD


def _loaded(filt: Any) -> Any:  # either framework's filter
    filt.model_check_or_download()
    filt.load_model()
    return filt


@pytest.mark.parametrize(
    ("lang", "min_langid_score"), [(None, 0.3), ("eng", 0.3), ("DEU_cyrl", 0.6), ("deu", 0.95), ("eng_Latn", 0.0)]
)
def test_langid_scores_and_decisions_equal_nemo(models, lang, min_langid_score):
    kwargs = {"model_path": str(models["langid"]), "lang": lang, "min_langid_score": min_langid_score}
    nemo, ours = _loaded(NemoLangId(**kwargs)), _loaded(FastTextLangId(**kwargs))
    texts = _texts(LANGUAGES)
    nemo_scores = [nemo.score_document(t) for t in texts]
    ours_scores = ours.score_batch(pd.Series(texts))
    assert ours_scores.tolist() == nemo_scores == [ours.score_document(t) for t in texts]
    nemo_keep = [bool(nemo.keep_document(s)) for s in nemo_scores]
    assert ours.keep_batch(ours_scores).tolist() == nemo_keep
    assert 0 < sum(nemo_keep) < len(texts) or lang is None


@pytest.mark.parametrize("label", ["__label__hq", "__label__lq"])
def test_quality_scores_equal_nemo(models, label):
    kwargs = {"model_path": str(models["quality"]), "label": label}
    nemo, ours = _loaded(NemoQuality(**kwargs)), _loaded(FastTextQualityFilter(**kwargs))
    texts = _texts(QUALITY)
    nemo_scores = [nemo.score_document(t) for t in texts]
    assert ours.score_batch(pd.Series(texts)).tolist() == nemo_scores == [ours.score_document(t) for t in texts]
    # The keep draws differ by design (ours are a function of seed and score, NeMo's come from NumPy's
    # global generator); the rule is the same, so a perfect score is kept by both.
    assert ours.keep_document(1.0) and nemo.keep_document(1.0)


def test_nemo_score_filter_on_dask_executor_keeps_what_ours_keeps(client, models):
    texts = _texts(LANGUAGES)
    frame = pd.DataFrame({"id": [f"d{i:03d}" for i in range(len(texts))], "text": texts})
    parts = [frame.iloc[i::4] for i in range(4)]
    kwargs = {"model_path": str(models["langid"]), "lang": "eng", "min_langid_score": 0.5}
    nemo = NemoPipeline("nemo_ft", stages=[NemoScoreFilter(NemoLangId(**kwargs), score_field="language")]).run(
        DaskExecutor(client=client), initial_tasks=[NemoBatch(dataset_name="ft", data=p) for p in parts]
    )
    ours = Pipeline("ours_ft", stages=[ScoreFilter(FastTextLangId(**kwargs), score_field="language")]).run(
        DaskExecutor(client=client), initial_tasks=[DocumentBatch(dataset_name="ft", data=p) for p in parts]
    )
    nemo_out, ours_out = (
        pd.concat([t.to_pandas() for t in r]).sort_values("id", ignore_index=True) for r in (nemo, ours)
    )
    assert all(isinstance(t, NemoBatch) for t in nemo)
    assert 20 < len(ours_out) < len(frame)
    pd.testing.assert_frame_equal(nemo_out, ours_out)
