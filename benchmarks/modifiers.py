"""Docs/s of each modifier's ``modify_batch`` against its per-document loop (run by hand).

    .venv/bin/python benchmarks/modifiers.py [n_docs]

Not a test: timings depend on the machine. Times the modifier configurations of
``tests/stages/text/modifiers/cases.py`` (``MODIFIERS``, the ones the tests check batch against
per-document) on generated ``MARKUP`` documents (``curator_dask.examples.corpus``), the kind the
modifier tests use.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.stages.text.modifiers.cases


def _best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(n: int = 20_000) -> None:
    from curator_dask.examples.corpus import MARKUP, documents
    from tests.stages.text.modifiers.cases import MODIFIERS

    texts = pd.Series(documents(n, seed=1, mix=MARKUP)["text"].tolist(), dtype=object)
    print(f"{n} documents, {texts.str.len().mean():.0f} characters on average; best of 3 runs")
    print(f"{'modifier':28s} {'per-document':>14s} {'modify_batch':>14s} {'speed-up':>9s}")
    for i, modifier in enumerate(MODIFIERS):
        loop = _best_of(3, lambda m=modifier: [m.modify_document(t) for t in texts])
        batch = _best_of(3, lambda m=modifier: m.modify_batch(texts))
        label = f"{i:2d} {modifier.name}"  # the index tells apart configurations of one modifier
        print(f"{label:28s} {n / loop:12,.0f}/s {n / batch:12,.0f}/s {loop / batch:8.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
