"""RepeatingTopNGramsFilter scores a text the same in every process, whatever its string hash seed.

NeMo breaks ties between equally frequent n-grams in ``set`` order, which follows
``PYTHONHASHSEED``; a DaskExecutor worker and the driver (or two workers) then disagreed on a
document now and then. The pick is now the tied n-gram that appears first in the document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from curator_dask.stages.text.filters.heuristic import RepeatingTopNGramsFilter
from curator_dask.stages.text.utils.text_column import clear_cache

ROOT = Path(__file__).resolve().parents[4]

# Tied top n-grams whose removal differs a lot, so a set-order pick varies from seed to seed.
TIES = [
    " ".join(f"w{i}" for i in range(40)) + " " + "verylongwordindeed " * 2,
    "x y z alphabetical bookkeeping committee x y z alphabetical bookkeeping committee",
    "a b c d extraordinarily long words here a b c d extraordinarily long words here end",
    " ".join(f"{'q' * (i % 7 + 1)}{i}" for i in range(60)),
]

_SCORE = """
import json, sys
import pandas as pd
from curator_dask.stages.text.filters.heuristic import RepeatingTopNGramsFilter
texts = json.loads(sys.stdin.read())
out = []
for n in (1, 2, 3):
    for cutoff in (0.02, 0.2):
        f = RepeatingTopNGramsFilter(n=n, max_repeating_ngram_ratio=cutoff)
        out.append([[f.score_document(t) for t in texts], f.score_batch(pd.Series(texts)).tolist(),
                    f.decide_batch(pd.Series(texts)).tolist()])
print(json.dumps(out))
"""


def _scores_under_seed(seed: int) -> str:
    env = {"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _SCORE],
        input=json.dumps(TIES),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return done.stdout


def test_scores_and_decisions_do_not_depend_on_the_hash_seed() -> None:
    results = {seed: _scores_under_seed(seed) for seed in range(3)}
    assert len(set(results.values())) == 1, {s: r[:200] for s, r in results.items()}


def test_the_tied_ngram_that_appears_first_is_removed() -> None:
    clear_cache()
    text = "alphabetical bookkeeping x y alphabetical bookkeeping x y"
    f = RepeatingTopNGramsFilter(n=2)
    # Bigrams (alphabetical, bookkeeping), (bookkeeping, x) and (x, y) occur twice each: the first wins.
    expected = 2 * len("alphabetical bookkeeping") / len(text)
    assert f.score_document(text) == expected
    assert f.score_batch(pd.Series([text, "one"])).tolist() == [expected, 1.0]
