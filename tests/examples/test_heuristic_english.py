"""The main job end to end: the English heuristic pipeline through DaskExecutor on the session
LocalCluster, checked document by document against the filters applied in this process."""

from __future__ import annotations

import pandas as pd

from curator_dask.backends.dask import DaskExecutor
from curator_dask.examples.heuristic_english import (
    english_heuristic_filters,
    heuristic_english_pipeline,
    removal_summary,
)
from curator_dask.examples.sample_corpus import write_sample_corpus
from curator_dask.stages.text.filters.langid import LangIdFilter
from curator_dask.stages.text.modifiers import UnicodeReformatter


def _expected_ids(input_dir) -> set[str]:
    docs = pd.concat(pd.read_json(p, lines=True) for p in sorted(input_dir.glob("*.jsonl")))
    langid = LangIdFilter(lang="en")
    langid.load_model()
    fix = UnicodeReformatter()
    filters = [langid, *english_heuristic_filters()]
    kept = set()
    for doc_id, raw in zip(docs["id"], docs["text"], strict=True):
        text = fix.modify_document(raw)
        if all(f.keep_document(f.score_document(text)) for f in filters):
            kept.add(doc_id)
    return kept


def test_heuristic_pipeline_end_to_end(client, tmp_path):
    write_sample_corpus(tmp_path / "in", num_docs=300, num_files=3, seed=7)
    result = heuristic_english_pipeline(str(tmp_path / "in"), str(tmp_path / "out")).run(DaskExecutor(client=client))
    written = pd.read_parquet(tmp_path / "out")
    assert set(written["id"]) == _expected_ids(tmp_path / "in")
    assert len(written) == len(set(written["id"]))  # nothing written twice
    assert 0 < len(written) < 300  # the sample has junk for the filters to remove
    summary = removal_summary(result)
    assert f"documents read: 300   kept: {len(written)}" in summary
    assert [s.name for s in result.stages][:3] == ["file_partitioning", "jsonl_reader", "UnicodeReformatter"]
