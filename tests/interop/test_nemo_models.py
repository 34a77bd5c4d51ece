"""Our classifiers and embedder against NeMo Curator 1.4's own classes on the same tiny weights
(saved under NeMo Curator's repo ids, in NeMo Curator's checkpoint layout) and the same documents.

NeMo Curator runs in a fresh process (``tests/interop/nemo_model_parts.py``) so that its
``HF_HOME`` and offline mode are set before huggingface_hub is imported. Runs only where
``nemo_curator`` is installed (CI: ``.venv-interop``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("nemo_curator", reason="NeMo Curator is not installed; CI runs these tests in .venv-interop")
pytest.importorskip("torch")

from curator_dask.stages.text.classifiers import FineWebEduClassifier, QualityClassifier
from curator_dask.stages.text.embedders import EmbeddingCreatorStage
from tests.models.parts import EMBEDDER, FINEWEB, QUALITY, batch, run_in_process, texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nemo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curator_dask.models.tiny import populate_cache

    home = tmp_path_factory.mktemp("nemo_hf_home")
    populate_cache(home / "hub", [QUALITY, FINEWEB, EMBEDDER])
    texts().reset_index(drop=True).to_parquet(home / "docs.parquet")
    return home


def _nemo(which: str, home: Path) -> pd.DataFrame:
    out = home / f"{which}.parquet"
    env = dict(os.environ, HF_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    args = [
        sys.executable,
        "-m",
        "tests.interop.nemo_model_parts",
        which,
        str(home / "hub"),
        str(home / "docs.parquet"),
    ]
    result = subprocess.run(
        [*args, str(out)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return pd.read_parquet(out)


def _ours(composite: object, home: Path) -> pd.DataFrame:
    docs = pd.read_parquet(home / "docs.parquet")
    return run_in_process(composite.decompose(), batch(docs)).to_pandas()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_quality_classifier_matches_nemo_curator(nemo_home):
    nemo = _nemo("quality", nemo_home)
    ours = _ours(
        QualityClassifier(cache_dir=str(nemo_home / "hub"), score_field="p", model_inference_batch_size=4), nemo_home
    )
    assert ours["id"].tolist() == nemo["id"].tolist()
    assert ours["quality_pred"].tolist() == nemo["quality_pred"].tolist()
    assert nemo["quality_pred"].nunique() > 1
    np.testing.assert_allclose(np.stack(ours["p"].to_numpy()), np.stack(nemo["p"].to_numpy()), atol=1e-5)


@pytest.mark.slow
def test_fineweb_edu_classifier_matches_nemo_curator(nemo_home):
    nemo = _nemo("fineweb", nemo_home)
    ours = _ours(FineWebEduClassifier(cache_dir=str(nemo_home / "hub"), model_inference_batch_size=4), nemo_home)
    for column in ("fineweb-edu-score-label", "fineweb-edu-score-int"):
        assert ours[column].tolist() == nemo[column].tolist(), column
    # the tiny regressor's head is widened 60000-fold, so float32 rounding shows at about 1e-4
    np.testing.assert_allclose(ours["fineweb-edu-score-float"], nemo["fineweb-edu-score-float"], atol=1e-3)


@pytest.mark.slow
def test_embedding_creator_matches_nemo_curator(nemo_home):
    nemo = _nemo("embedder", nemo_home)
    ours = _ours(EmbeddingCreatorStage(cache_dir=str(nemo_home / "hub"), model_inference_batch_size=4), nemo_home)
    np.testing.assert_allclose(
        np.stack(ours["embeddings"].to_numpy()), np.stack(nemo["embeddings"].to_numpy()), atol=1e-5
    )


@pytest.mark.slow
def test_prompt_task_complexity_classifier_matches_nemo_curator(tmp_path):
    from curator_dask.models.tiny import PROMPT_COMPLEXITY, populate_cache
    from curator_dask.stages.text.classifiers import PromptTaskComplexityClassifier
    from curator_dask.stages.text.classifiers.prompt_task_complexity import OUTPUT_FIELDS

    populate_cache(tmp_path / "hub", [PROMPT_COMPLEXITY])
    texts(12).reset_index(drop=True).to_parquet(tmp_path / "docs.parquet")
    nemo = _nemo("prompt", tmp_path)
    ours = _ours(
        PromptTaskComplexityClassifier(cache_dir=str(tmp_path / "hub"), model_inference_batch_size=4), tmp_path
    )
    assert nemo["task_type_1"].nunique() > 1
    for column in OUTPUT_FIELDS:
        if isinstance(nemo[column].iloc[0], str):
            assert ours[column].tolist() == nemo[column].tolist(), column
        else:
            np.testing.assert_allclose(
                ours[column].astype(float), nemo[column].astype(float), atol=1e-4, err_msg=column
            )
