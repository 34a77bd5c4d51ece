"""The classifier on two simulated nodes: real ``dask worker`` processes on two loopback hosts
(two workers on one, one on the other), offline, with setup calls counted in a real file."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("torch")

from curator_dask.backends.dask import DaskExecutor
from curator_dask.examples.corpus import write_jsonl
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.classifiers import QualityClassifier
from curator_dask.stages.text.io.reader import JsonlReader
from tests.backends.dask.pipeline_parts import read_log
from tests.backends.dask.processes import loopback_cluster
from tests.models.parts import QUALITY, on_cpu, recorded, texts
from tests.stages.text.classifiers.reference import deberta_probs

WORKERS = {"a1": "127.0.0.2", "a2": "127.0.0.2", "b1": "127.0.0.3"}


@pytest.mark.slow
def test_weights_staged_once_per_node_and_loaded_once_per_worker(hub_cache, tmp_path):
    df = texts(36).reset_index(drop=True)
    write_jsonl(tmp_path / "in", df, num_files=6)
    log = tmp_path / "setup.log"
    (tmp_path / "cluster").mkdir()
    classifier = QualityClassifier(cache_dir=hub_cache, score_field="p", model_inference_batch_size=4)
    stages = recorded(on_cpu(classifier.decompose()), log)
    pipeline = Pipeline("two-nodes", stages=[JsonlReader(file_paths=str(tmp_path / "in")), *stages])
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")  # the worker processes inherit it: nothing may go online
        env.setenv("OMP_NUM_THREADS", "1")
        with loopback_cluster(tmp_path / "cluster", WORKERS) as (_, client):
            out = pipeline.run(DaskExecutor(client=client))
            workers = set(client.scheduler_info()["workers"])
    got = pd.concat([t.to_pandas() for t in out]).sort_values("id").reset_index(drop=True)
    expected = deberta_probs(QUALITY, hub_cache, df["text"], max_chars=6000, max_len=1024)
    np.testing.assert_allclose(np.stack(got["p"].to_numpy()), expected, atol=1e-5)

    events = [e.split() for e in read_log(log)]
    for stage in ("quality_classifier_deberta_tokenizer", "quality_classifier_deberta_model"):
        nodes = Counter(e[2] for e in events if e[0] == "setup_on_node" and e[1] == stage)
        assert nodes == {"127.0.0.2": 1, "127.0.0.3": 1}, f"{stage}: staged once on each node"
        loads = Counter(e[2] for e in events if e[0] == "setup" and e[1] == stage)
        assert set(loads) <= workers and set(loads.values()) == {1}, f"{stage}: loaded once per worker"
