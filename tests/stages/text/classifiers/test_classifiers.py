"""The classifiers against plain ``transformers`` forward passes on the same tiny weights, in one
process and on a LocalCluster of worker processes (setup counted in real files)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("torch")

from curator_dask.backends.dask import DaskExecutor
from curator_dask.core.checks import worker_device
from curator_dask.errors import ConfigError, StageSetupError
from curator_dask.examples.corpus import write_jsonl
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text import classifiers
from curator_dask.stages.text.classifiers import FineWebEduClassifier, QualityClassifier
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD, INPUT_ID_FIELD
from tests.backends.dask.pipeline_parts import read_log
from tests.models.parts import (
    FINEWEB,
    QUALITY,
    batch,
    on_cpu,
    placed,
    recorded,
    run_in_process,
    texts,
)
from tests.stages.text.classifiers.reference import deberta_probs, regression_scores

NAMED = {  # class: (repo id, label column, max_chars, max_seq_length): NeMo Curator 1.4's values
    "QualityClassifier": ("nvidia/quality-classifier-deberta", "quality_pred", 6000, 1024),
    "DomainClassifier": ("nvidia/domain-classifier", "domain_pred", 2000, 512),
    "MultilingualDomainClassifier": ("nvidia/multilingual-domain-classifier", "multilingual_domain_pred", 2000, 512),
    "ContentTypeClassifier": ("nvidia/content-type-classifier-deberta", "content_pred", 6000, 1024),
    "FineWebEduClassifier": (FINEWEB, "fineweb-edu-score-label", None, 512),
    "FineWebMixtralEduClassifier": (
        "nvidia/nemocurator-fineweb-mixtral-edu-classifier",
        "fineweb-mixtral-edu-score-label",
        None,
        512,
    ),
    "FineWebNemotronEduClassifier": (
        "nvidia/nemocurator-fineweb-nemotron-4-edu-classifier",
        "fineweb-nemotron-edu-score-label",
        None,
        512,
    ),
}


@pytest.mark.parametrize("cls_name", sorted(NAMED))
def test_named_classifiers_decompose_as_nemo_does(cls_name):
    repo, label, max_chars, max_len = NAMED[cls_name]
    classifier = getattr(classifiers, cls_name)()
    stem = repo.split("/")[-1].replace("-", "_").lower()
    assert classifier.name == f"{stem}_classifier"
    tokenizer, model = classifier.decompose()
    assert (tokenizer.name, model.name) == (f"{stem}_tokenizer", f"{stem}_model")
    assert tokenizer.model_identifier == model.model_identifier == repo
    assert (tokenizer.max_chars, tokenizer.max_seq_length) == (max_chars, max_len)
    assert label in classifier.outputs()[1] and classifier.inputs() == (["data"], ["text"])
    assert model.resources.gpus == 1 and not tokenizer.resources.requires_gpu


def test_filter_by_adds_nemos_filter_stage_and_rejects_a_bare_string():
    stages = QualityClassifier(filter_by=["High"]).decompose()
    assert [s.name for s in stages][-1] == "filter_fn"
    with pytest.raises(ConfigError, match=r"filter_by takes a list of labels, got the string 'High'"):
        QualityClassifier(filter_by="High")  # type: ignore[arg-type]


def test_quality_labels_and_probabilities_equal_a_plain_forward_pass(hub_cache):
    df = texts()
    classifier = QualityClassifier(cache_dir=hub_cache, score_field="quality_prob", model_inference_batch_size=5)
    out = run_in_process(classifier.decompose(), batch(df)).to_pandas()
    assert out.index.tolist() == df.index.tolist() and out["id"].tolist() == df["id"].tolist()
    assert INPUT_ID_FIELD not in out and ATTENTION_MASK_FIELD not in out
    expected = deberta_probs(QUALITY, hub_cache, df["text"], max_chars=6000, max_len=1024)
    np.testing.assert_allclose(np.stack(out["quality_prob"].to_numpy()), expected, atol=1e-5)
    labels = np.array(["High", "Medium", "Low"])[expected.argmax(axis=1)]
    assert out["quality_pred"].tolist() == labels.tolist()
    assert len(set(labels)) > 1, "the tiny model separates documents, so order mix-ups would show"


@pytest.mark.slow
def test_filter_by_keeps_only_the_listed_labels(hub_cache):
    df = texts()
    full = run_in_process(
        QualityClassifier(cache_dir=hub_cache, model_inference_batch_size=4).decompose(), batch(df)
    ).to_pandas()
    kept = run_in_process(
        QualityClassifier(cache_dir=hub_cache, filter_by=["Low"], model_inference_batch_size=4).decompose(), batch(df)
    )
    pd.testing.assert_frame_equal(kept.to_pandas(), full[full["quality_pred"] == "Low"])


@pytest.mark.slow
def test_existing_tokens_are_sorted_clipped_and_give_the_same_answer(hub_cache):
    df = texts()
    plain = QualityClassifier(cache_dir=hub_cache, keep_tokens=True, score_field="p", model_inference_batch_size=4)
    with_tokens = run_in_process(plain.decompose(), batch(df)).to_pandas()
    again = QualityClassifier(
        cache_dir=hub_cache, use_existing_tokens=True, score_field="p", model_inference_batch_size=4
    )
    assert [s.name for s in again.decompose()] == ["sort_by_length_stage", "quality_classifier_deberta_model"]
    out = run_in_process(again.decompose(), batch(with_tokens.drop(columns=["quality_pred", "p"]))).to_pandas()
    assert out["quality_pred"].tolist() == with_tokens["quality_pred"].tolist()
    np.testing.assert_allclose(np.stack(out["p"].to_numpy()), np.stack(with_tokens["p"].to_numpy()), atol=1e-6)


def test_fineweb_scores_equal_a_plain_forward_pass(hub_cache):
    df = texts()
    out = run_in_process(FineWebEduClassifier(cache_dir=hub_cache).decompose(), batch(df)).to_pandas()
    logits = regression_scores(FINEWEB, hub_cache, df["text"], max_len=512)
    # the tiny regressor's head is widened 60000-fold to spread its scores over 0-5, so float32
    # rounding in the backbone (about 1e-8) shows up here at about 1e-4
    np.testing.assert_allclose(out["fineweb-edu-score-float"], np.clip(logits, 0, 5), atol=1e-3)
    clear = np.abs(logits - 2.5) > 1e-2  # labels away from the threshold
    labels = np.where(logits >= 2.5, "high_quality", "low_quality")
    assert out["fineweb-edu-score-label"][clear].tolist() == labels[clear].tolist()
    assert set(labels[clear]) == {"high_quality", "low_quality"}
    assert ((logits < 0) | (logits > 5)).any() and out["fineweb-edu-score-float"].between(0, 5).all(), "clipped"


# -- on a cluster of worker processes ----------------------------------------------------------
def _pipeline(folder, stages):
    return Pipeline("classify", stages=[JsonlReader(file_paths=str(folder), files_per_partition=1), *stages])


@pytest.mark.slow
def test_on_worker_processes_setup_is_counted_and_results_equal_the_reference(device_client, hub_cache, tmp_path):
    device, client = device_client
    df = texts(40).reset_index(drop=True)
    write_jsonl(tmp_path / "in", df, num_files=4)
    log = tmp_path / "setup.log"
    # on a GPU in float32 (no autocast), so the comparison measures placement, not bf16 rounding
    classifier = QualityClassifier(cache_dir=hub_cache, score_field="p", model_inference_batch_size=4, autocast=False)
    stages = recorded(placed(classifier.decompose(), device), log)
    out = _pipeline(tmp_path / "in", stages).run(DaskExecutor(client=client))
    assert len(out) == 4
    for task in out:  # each batch comes back in its file's order
        ids = task.to_pandas()["id"].tolist()
        assert ids == sorted(ids)
    got = pd.concat([t.to_pandas() for t in out]).sort_values("id").reset_index(drop=True)
    expected = deberta_probs(QUALITY, hub_cache, df["text"], max_chars=6000, max_len=1024)
    np.testing.assert_allclose(np.stack(got["p"].to_numpy()), expected, atol=1e-5 if device == "cpu" else 1e-3)
    top2 = np.sort(expected, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-2  # labels away from a tie
    labels = np.array(["High", "Medium", "Low"])[expected.argmax(axis=1)]
    assert got["quality_pred"][clear].tolist() == labels[clear].tolist()

    events = [e.split() for e in read_log(log)]
    workers = set(client.scheduler_info()["workers"])
    for stage in ("quality_classifier_deberta_tokenizer", "quality_classifier_deberta_model"):
        node_setups = Counter(e[2] for e in events if e[0] == "setup_on_node" and e[1] == stage)
        assert list(node_setups.values()) == [1], f"{stage}: staged once on the one node"
        worker_setups = Counter(e[2] for e in events if e[0] == "setup" and e[1] == stage)
        assert set(worker_setups) <= workers and set(worker_setups.values()) == {1}, f"{stage}: loaded once per worker"
    models = {e[2]: (e[4], e[5]) for e in events if e[0] == "setup" and e[1].endswith("_model")}
    if device == "cpu":
        assert {torch_device for torch_device, _ in models.values()} == {"cpu"}
    else:  # each worker's model on the GPU dask-cuda gave that worker (first in its CUDA_VISIBLE_DEVICES)
        assigned = {w: gpu for w, (_, gpu) in client.run(worker_device).items()}
        assert all(models[w] == ("cuda:0", assigned[w]) for w in models), (models, assigned)
        assert len({gpu for _, gpu in models.values()}) == len(models), "no two workers share a GPU"


@pytest.mark.slow
def test_offline_with_the_weights_missing_fails_before_any_work_naming_the_repo(offline_client, tmp_path):
    write_jsonl(tmp_path / "in", texts(8), num_files=2)
    empty = tmp_path / "empty-hub"
    stages = on_cpu(QualityClassifier(cache_dir=str(empty)).decompose())
    with pytest.raises(StageSetupError, match=r"Model 'nvidia/quality-classifier-deberta' is not in the Hugging Face"):
        _pipeline(tmp_path / "in", stages).run(DaskExecutor(client=offline_client))
    assert not empty.exists() or not any(empty.rglob("*.safetensors")), "nothing was fetched"


def test_prompt_task_complexity_decomposes_as_nemo_does_and_refuses_filter_by():
    from curator_dask.stages.text.classifiers import PromptTaskComplexityClassifier

    classifier = PromptTaskComplexityClassifier()
    assert classifier.name == "prompt_task_and_complexity_classifier_classifier"
    assert [s.name for s in classifier.decompose()] == [
        "prompt_task_and_complexity_classifier_tokenizer",
        "prompt_task_and_complexity_classifier_model",
    ]
    assert classifier.outputs()[1][0] == "prompt_complexity_score" and len(classifier.outputs()[1]) == 11
    with pytest.raises(NotImplementedError, match="filter_by not supported with PromptTaskComplexityClassifier"):
        PromptTaskComplexityClassifier(filter_by=["x"])


@pytest.mark.parametrize("name", ["AegisClassifier", "InstructionDataGuardClassifier"])
def test_aegis_classifiers_say_why_they_are_missing(name):
    with pytest.raises(NotImplementedError, match=rf"{name} is not available in curator_dask: it needs the gated"):
        getattr(classifiers, name)(aegis_variant="nvidia/Aegis-AI-Content-Safety-LlamaGuard-Defensive-1.0")
