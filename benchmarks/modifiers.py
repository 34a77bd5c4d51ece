"""Docs/s of each modifier's ``modify_batch`` against its per-document loop (run by hand).

    .venv/bin/python benchmarks/modifiers.py [n_docs]

Not a test: timings depend on the machine. Uses the seeded corpus of ``tests/stages/text/modifiers/conftest.py``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd

from curator_dask.stages.text.modifiers import (
    BoilerPlateStringModifier,
    DocumentModifier,
    LineRemover,
    MarkdownRemover,
    NewlineNormalizer,
    QuotationRemover,
    Slicer,
    UnicodeReformatter,
    UrlRemover,
)


def _make_corpus(n: int) -> list[str]:
    conftest = Path(__file__).resolve().parents[1] / "tests/stages/text/modifiers/conftest.py"
    spec = importlib.util.spec_from_file_location("modifier_conftest", conftest)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_corpus(n, seed=1)


def _best_of(runs: int, fn: object) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main(n: int = 20_000) -> None:
    texts = pd.Series(_make_corpus(n), dtype=object)
    modifiers: list[DocumentModifier] = [
        NewlineNormalizer(),
        UrlRemover(),
        MarkdownRemover(),
        QuotationRemover(),
        LineRemover(["Advertisement", "Share this:", ""]),
        Slicer(left=3, right=-4),
        BoilerPlateStringModifier(),
        UnicodeReformatter(),
    ]
    print(f"{n} documents, {texts.str.len().mean():.0f} characters on average; best of 3 runs")
    print(f"{'modifier':28s} {'per-document':>14s} {'modify_batch':>14s} {'speed-up':>9s}")
    for modifier in modifiers:
        loop = _best_of(3, lambda m=modifier: [m.modify_document(t) for t in texts])
        batch = _best_of(3, lambda m=modifier: m.modify_batch(texts))
        print(f"{modifier.name:28s} {n / loop:12,.0f}/s {n / batch:12,.0f}/s {loop / batch:8.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
