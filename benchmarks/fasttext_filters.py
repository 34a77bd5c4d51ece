"""fastText language identification: documents per second of ``FastTextLangId``, three ways.

On one generated corpus and one small fastText model trained on the spot (two made-up languages,
``tests/stages/text/filters/fasttext/fasttext_parts.py``; nothing is downloaded):

1. baseline: one process, one document at a time (``score_document`` then ``keep_document``, as
   NeMo Curator's ``ScoreFilter`` applies a filter);
2. one process, whole batches (``score_batch`` / ``keep_batch``: one fastText call per batch);
3. ``ScoreFilter(FastTextLangId)`` on ``DaskExecutor`` over a ``LocalCluster`` of 2 single-threaded
   worker processes started beforehand; the run's set-up (model checked once per node, loaded once
   per worker) and moving the batches to the workers are included.

Ratios are against the baseline measured in the same run. Usage:
``python benchmarks/fasttext_filters.py [--docs 200000] [--batches 16] [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import FastTextLangId, ScoreFilter
from curator_dask.tasks import DocumentBatch
from tests.stages.text.filters.fasttext.fasttext_parts import LANGUAGES, documents, train_model


def _per_document(filt: FastTextLangId, texts: list[str]) -> int:
    return sum(bool(filt.keep_document(filt.score_document(t))) for t in texts)


def _per_batch(filt: FastTextLangId, texts: pd.Series, batches: int) -> int:
    size = -(-len(texts) // batches)
    return sum(
        int(filt.keep_batch(filt.score_batch(texts.iloc[i : i + size])).sum()) for i in range(0, len(texts), size)
    )


def _on_cluster(client: object, model: Path, frame: pd.DataFrame, batches: int) -> int:
    parts = [DocumentBatch(dataset_name="bench", data=frame.iloc[i::batches]) for i in range(batches)]
    stage = ScoreFilter(FastTextLangId(model_path=str(model), lang="eng"))
    result = Pipeline("fasttext_bench", stages=[stage]).run(DaskExecutor(client=client), initial_tasks=parts)
    return sum(t.num_items for t in result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="20 000 documents: a smoke run")
    args = parser.parse_args()
    docs = 20_000 if args.quick else args.docs
    from distributed import Client, LocalCluster

    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        model = train_model(Path(tmp) / "langid.bin", LANGUAGES, lines=2000)
        texts = [text for _, text in documents(LANGUAGES, docs, seed=1)]
        frame = pd.DataFrame({"id": range(docs), "text": texts})
        filt = FastTextLangId(model_path=str(model), lang="eng")
        filt.load_model()
        rows = []
        for name, run in [
            ("one process, per document (baseline)", lambda: _per_document(filt, texts)),
            ("one process, per batch", lambda: _per_batch(filt, frame["text"], args.batches)),
            ("DaskExecutor, 2 workers", lambda: _on_cluster(client, model, frame, args.batches)),
        ]:
            start = time.perf_counter()
            kept = run()
            rows.append((name, docs / (time.perf_counter() - start), kept))
    print(f"{docs} documents of 1 to 60 words, {args.batches} batches; load average {os.getloadavg()[0]:.1f}")
    assert len({kept for *_, kept in rows}) == 1, f"the three ways kept different counts: {rows}"
    for name, rate, _ in rows:
        print(f"{name:40s} {rate:12,.0f} docs/s  x{rate / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
