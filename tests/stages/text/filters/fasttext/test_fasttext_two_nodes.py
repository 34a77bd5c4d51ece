"""The fastText filters on two simulated nodes: real ``dask worker`` processes on 127.0.0.2 and 127.0.0.3.

Each worker runs in its own folder, so a relative ``model_path`` is a file that one node has and
the other lacks: the multi-node mistake these filters must name before any work.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import StageSetupError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import FastTextLangId, ScoreFilter
from curator_dask.tasks import DocumentBatch
from tests.backends.dask.pipeline_parts import Slow, read_log
from tests.backends.dask.processes import LoopbackCluster
from tests.stages.text.filters.fasttext.fasttext_parts import LANGUAGES, CountingLangId, documents

pytestmark = pytest.mark.slow  # starts a scheduler and two worker processes


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory, langid_model: Path) -> Iterator[tuple[Client, Path]]:
    """A client on two nodes whose workers run in folders ``a`` and ``b``; only ``a/models`` holds the model."""
    root = tmp_path_factory.mktemp("two_nodes")
    (root / "a" / "models").mkdir(parents=True)
    (root / "b").mkdir()
    shutil.copy(langid_model, root / "a" / "models" / "langid.bin")
    cluster = LoopbackCluster(root)
    try:
        cluster.add_worker("127.0.0.2", "node-a", cwd=root / "a")
        cluster.add_worker("127.0.0.3", "node-b", cwd=root / "b")
        with Client(cluster.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            yield client, root
    finally:
        cluster.close()


def _batches() -> list[DocumentBatch]:
    frame = pd.DataFrame({"id": range(80), "text": [text for _, text in documents(LANGUAGES, 80, seed=3)]})
    return [DocumentBatch(dataset_name="ft", data=frame.iloc[i::4]) for i in range(4)]


def test_model_checked_once_per_node_and_loaded_once_per_worker(nodes, langid_model, tmp_path):
    client, root = nodes
    log = tmp_path / "setup.log"
    filt = CountingLangId(
        log, model_path=str(root / "a" / "models" / "langid.bin"), lang="deu"
    )  # absolute: both see it
    result = Pipeline("two_nodes", stages=[ScoreFilter(filt, score_field="lang")]).run(
        DaskExecutor(client=client), initial_tasks=_batches()
    )
    events = read_log(log)
    pids = set(client.run(os.getpid).values())
    assert sorted(e.split()[0] for e in events) == ["load", "load", "node", "node"]
    assert {int(e.split()[1]) for e in events if e.startswith("node")} == pids  # one check on each node
    assert {int(e.split()[1]) for e in events if e.startswith("load")} == pids  # one load on each worker
    out = pd.concat([t.to_pandas() for t in result]).sort_values("id")
    expected = FastTextLangId(model_path=langid_model, lang="deu")
    expected.load_model()
    texts = pd.concat([b.to_pandas() for b in _batches()]).sort_values("id")
    keep = expected.keep_batch(expected.score_batch(texts["text"]))
    assert out["id"].tolist() == texts["id"][keep].tolist() and len(out) == 40
    assert out["lang"].tolist() == expected.score_batch(out["text"]).tolist()


def test_model_on_only_one_node_is_named_at_setup(nodes, tmp_path):
    client, root = nodes
    log = tmp_path / "events.log"
    stages = [Slow(0.0, str(log)), ScoreFilter(FastTextLangId(model_path="models/langid.bin"))]
    with pytest.raises(StageSetupError, match=r"(?s)Setting up stage 'lang_id' failed on worker tcp://127\.0\.0\.3:\d+ "
                       r"\(node '127\.0\.0\.3'\): ModelNotFoundError: FastTextLangId: fastText model file "
                       rf"'models/langid\.bin' not found \(looked at '{re.escape(str(root / 'b'))}/models/langid\.bin' "
                       r"on node '.+'\)\. Pass model_path= the path of a supervised fastText model \(\.bin or \.ftz\) "
                       r"that every worker node can read"):  # fmt: skip
        Pipeline("one_node", stages=stages).run(DaskExecutor(client=client), initial_tasks=_batches())
    assert not [e for e in read_log(log) if e.startswith("batch ")]  # no batch ran
