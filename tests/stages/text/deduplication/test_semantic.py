"""TextSemanticDeduplicationWorkflow end to end with a tiny random sentence-transformers model built here."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError
from curator_dask.examples.corpus import write_parquet
from curator_dask.examples.corpus._kinds import prose
from curator_dask.stages.resources import Resources
from curator_dask.stages.text.deduplication import TextSemanticDeduplicationWorkflow

pytest.importorskip("sentence_transformers")

_rng = random.Random(4)
UNIQUE = pd.DataFrame({"id": [f"u{i:02d}" for i in range(40)], "text": [prose(_rng, 400) for _ in range(40)]})
COPIES = UNIQUE.iloc[:10].assign(id=[f"c{i:02d}" for i in range(10)])  # exact copies of u00 .. u09
DOCS = pd.concat([UNIQUE, COPIES], ignore_index=True).sample(frac=1, random_state=1, ignore_index=True)


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    from curator_dask.models.tiny import build_sentence_transformer

    cache = tmp_path_factory.mktemp("hf")
    build_sentence_transformer(cache)
    return str(cache)


@pytest.mark.slow
def test_exact_copies_are_removed_and_unrelated_documents_kept(client, tmp_path, model_cache) -> None:
    write_parquet(tmp_path / "in", DOCS, num_files=3)
    workflow = TextSemanticDeduplicationWorkflow(
        input_path=str(tmp_path / "in"),
        output_path=str(tmp_path / "out"),
        id_field="id",
        n_clusters=3,
        eps=1e-3,
        model_cache_dir=model_cache,
        embedding_resources=Resources(cpus=1),
    )
    report = workflow.run(DaskExecutor(client=client))
    kept = pd.read_parquet(tmp_path / "out" / "deduplicated")
    assert sorted(kept.columns) == ["id", "text"]  # the embeddings are not written
    assert len(kept) == 40 == report.documents_in - report.documents_removed
    assert sorted(kept["text"]) == sorted(UNIQUE["text"])  # one of each pair of copies, every unrelated one


def test_settings_are_checked_before_any_work() -> None:
    with pytest.raises(ConfigError, match=r"perform_removal=True but eps=None"):
        TextSemanticDeduplicationWorkflow(input_path="in", output_path="out", eps=None)
    with pytest.raises(ConfigError, match=r"use_id_generator=True writes ids to '_curator_dedup_id'; pass"):
        TextSemanticDeduplicationWorkflow(input_path="in", output_path="out", use_id_generator=True, id_field="id")
    with pytest.raises(ConfigError, match=r"which_to_keep='best' is not supported"):
        TextSemanticDeduplicationWorkflow(input_path="in", output_path="out", which_to_keep="best")  # type: ignore[arg-type]
