"""The fastText filters on the session LocalCluster (two worker processes): set-up counts and results."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.config import load_pipeline_config
from curator_dask.errors import StageSetupError
from curator_dask.examples.sample_corpus import write_sample_corpus
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import FastTextLangId, FastTextQualityFilter, ScoreFilter
from curator_dask.tasks import DocumentBatch
from tests.backends.dask.pipeline_parts import Slow, read_log
from tests.stages.text.filters.fasttext.fasttext_parts import (
    AWKWARD,
    LANGUAGES,
    QUALITY,
    CountingLangId,
    CountingQualityFilter,
    documents,
)

BATCHES = 8


def _batches(alphabets: dict[str, str]) -> list[DocumentBatch]:
    texts = [text for _, text in documents(alphabets, 200, seed=5)] + AWKWARD
    frame = pd.DataFrame({"id": [f"doc-{i:03d}" for i in range(len(texts))], "text": texts})
    return [DocumentBatch(dataset_name="ft", data=part) for part in (frame.iloc[i::BATCHES] for i in range(BATCHES))]


def _run(client: object, stage: ScoreFilter, batches: list[DocumentBatch]) -> pd.DataFrame:
    result = Pipeline("fasttext", stages=[stage]).run(DaskExecutor(client=client), initial_tasks=batches)
    return pd.concat([task.to_pandas() for task in result]).sort_values("id").set_index("id")


def _in_process(filt: FastTextLangId | FastTextQualityFilter, batches: list[DocumentBatch]) -> pd.DataFrame:
    frame = pd.concat([b.to_pandas() for b in batches]).set_index("id")
    filt.model_check_or_download()
    filt.load_model()
    frame["score"] = filt.score_batch(frame["text"])
    return frame[filt.keep_batch(frame["score"])].sort_index()


def _assert_set_up_once(client: object, log: Path) -> None:
    worker_pids = sorted(client.run(os.getpid).values())  # type: ignore[attr-defined]
    events = read_log(log)
    assert len([e for e in events if e.startswith("node ")]) == 1  # one node: the file is checked once
    assert sorted(int(e.split()[1]) for e in events if e.startswith("load ")) == worker_pids  # once per worker


def test_langid_on_two_workers_loads_once_per_worker_and_scores_as_in_process(client, langid_model, tmp_path):
    log = tmp_path / "setup.log"
    batches = _batches(LANGUAGES)
    filt = CountingLangId(log, model_path=str(langid_model), lang="eng", min_langid_score=0.5)
    out = _run(client, ScoreFilter(filt, score_field="language"), batches)
    _assert_set_up_once(client, log)
    expected = _in_process(FastTextLangId(model_path=str(langid_model), lang="eng", min_langid_score=0.5), batches)
    assert out.index.tolist() == expected.index.tolist() and len(out) > 90
    assert out["language"].tolist() == expected["score"].tolist()
    assert {eval(s)[1] for s in out["language"]} == {"eng_Latn"}


def test_quality_filter_on_two_workers_keeps_what_one_process_keeps(client, quality_model, tmp_path):
    log = tmp_path / "setup.log"
    batches = _batches(QUALITY)
    out = _run(client, ScoreFilter(CountingQualityFilter(log, model_path=quality_model), score_field="q"), batches)
    _assert_set_up_once(client, log)
    expected = _in_process(FastTextQualityFilter(model_path=quality_model), batches)
    # The keep draws are a function of the seed and the score, so workers and batches change nothing.
    assert out.index.tolist() == expected.index.tolist()
    assert out["q"].tolist() == expected["score"].tolist()


def test_missing_model_fails_at_setup_before_any_batch(client, tmp_path):
    log = tmp_path / "events.log"
    missing = tmp_path / "models" / "lid.176.bin"
    stages = [Slow(0.0, str(log)), ScoreFilter(FastTextLangId(model_path=str(missing)))]
    with pytest.raises(StageSetupError, match=r"(?s)Setting up stage 'lang_id' failed on worker tcp://.+ \(node "
                       r"'.+'\): ModelNotFoundError: FastTextLangId: fastText model file "
                       rf"'{re.escape(str(missing))}' not found \(looked at "
                       r"'.+' on node '.+'\)\. Pass model_path= the path of a supervised fastText model"):  # fmt: skip
        Pipeline("missing", stages=stages).run(DaskExecutor(client=client), initial_tasks=_batches(LANGUAGES))
    assert not [e for e in read_log(log) if e.startswith("batch ")]  # no batch ran


def test_nemo_curators_fasttext_yaml_runs_unchanged(client, langid_model, quality_model, tmp_path):
    # NeMo Curator 1.4's own nemo_curator/config/text/fasttext_filter_pipeline.yaml, byte for byte.
    write_sample_corpus(tmp_path / "in", num_docs=40, num_files=2)
    overrides = [
        f"input_path={tmp_path / 'in'}",
        f"output_path={tmp_path / 'out'}",
        f"fasttext_langid_model_path={langid_model}",
        f"fasttext_quality_model_path={quality_model}",
    ]
    pipeline = load_pipeline_config(
        Path(__file__).parent / "data" / "fasttext_filter_pipeline.yaml", overrides
    ).pipeline()
    stages = pipeline.build()
    assert [type(s.filter_obj[0]) for s in stages if isinstance(s, ScoreFilter)] == [
        FastTextLangId,
        FastTextQualityFilter,
    ]
    assert pipeline.run(DaskExecutor(client=client)) and list((tmp_path / "out").glob("*.jsonl"))
