"""The packaged ``code_filter`` and ``heuristic_non_english`` pipelines through ``curator-dask run``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.cli.main import main
from curator_dask.config import load_pipeline_config
from curator_dask.examples.corpus import EDGE_CASES, documents
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.heuristic.code import (
    NumberOfLinesOfCodeFilter,
    PythonCommentToCodeFilter,
    TokenizerFertilityFilter,
)
from tests.stages.text.filters.tokenizers_for_tests import train_tokenizer_json

CODE = [
    "# adds\ndef add(a, b):\n    return a + b\n\n\nprint(add(1, 2))",  # kept
    "x = 1",  # one line
    "def f():\n    return 1\n\n\n\nprint(f())",  # no comment at all
    "# one\n# two\n# three\n# four\n# five",  # comments only
]


def _jsonl(folder: Path, docs: list[str]) -> Path:
    folder.mkdir()
    (folder / "part.jsonl").write_text("".join(json.dumps({"text": d}) + "\n" for d in docs))
    return folder


def _run(client: Any, name: str, *overrides: str) -> None:
    address = client.scheduler.address
    assert main(["run", name, *overrides, "--scheduler-address", address]) == 0


def test_code_filter_yaml_keeps_what_its_filters_keep(client: Any, tmp_path: Path) -> None:
    tokenizer = train_tokenizer_json(tmp_path / "tok")
    source, out = _jsonl(tmp_path / "in", CODE), tmp_path / "out"
    _run(client, "code_filter", f"input_path={source}", f"output_path={out}", f"path_to_tokenizer={tokenizer}")
    kept = pd.concat(pd.read_json(p, lines=True) for p in out.glob("*.jsonl"))["text"].tolist()
    filters = [
        PythonCommentToCodeFilter(0.001, 0.85),
        NumberOfLinesOfCodeFilter(5, 20000),
        TokenizerFertilityFilter(str(tokenizer), 2),
    ]
    expected = [d for d in CODE if all(f.keep_document(f.score_document(d)) for f in filters)]  # type: ignore[attr-defined]
    assert kept == expected and 0 < len(expected) < len(CODE)


def test_code_filter_yaml_needs_a_tokenizer(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"path_to_tokenizer must be set"):
        load_pipeline_config("code_filter", [f"input_path={tmp_path}", f"output_path={tmp_path / 'o'}"])


def test_non_english_yaml_runs_the_nemo_cascade(client: Any, tmp_path: Path) -> None:
    docs = documents(40, seed=5, mix=EDGE_CASES, size=1500)["text"].tolist()
    source, out = _jsonl(tmp_path / "in", docs), tmp_path / "out"
    _run(client, "heuristic_non_english", f"input_path={source}", f"output_path={out}")
    config = load_pipeline_config("heuristic_non_english", [f"input_path={source}", f"output_path={out}"])
    filters = [s.filter_obj[0] for s in config.stages if isinstance(s, ScoreFilter)]
    assert len(filters) == 25 and "common_english_words" not in [f.name for f in filters]  # NeMo's cascade
    kept = pd.concat(pd.read_json(p, lines=True) for p in out.glob("*.jsonl"))["text"].tolist()
    expected = [d for d in docs if all(f.keep_document(f.score_document(d)) for f in filters)]
    assert kept == expected and 0 < len(expected) < len(docs)
