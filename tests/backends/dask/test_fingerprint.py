"""Pipeline fingerprints: a changed parameter, nested filter or stage code changes them; nothing
else does, in this process or another one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from curator_dask.backends.dask.fingerprint import input_fingerprint, pipeline_fingerprints, stage_fingerprint
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.heuristic import UrlsFilter, WordCountFilter
from curator_dask.stages.text.modifiers import Modify
from tests.backends.dask.pipeline_parts import Slow

ROOT = Path(__file__).resolve().parents[3]


def test_the_readme_quickstart_rerun_with_another_threshold_is_another_pipeline() -> None:
    assert stage_fingerprint(ScoreFilter(WordCountFilter(min_words=50))) == stage_fingerprint(
        ScoreFilter(WordCountFilter(min_words=50))
    )
    assert stage_fingerprint(ScoreFilter(WordCountFilter(min_words=50))) != stage_fingerprint(
        ScoreFilter(WordCountFilter(min_words=80))
    )
    assert stage_fingerprint(ScoreFilter(WordCountFilter())) != stage_fingerprint(ScoreFilter(UrlsFilter()))
    assert stage_fingerprint(ScoreFilter(WordCountFilter(), text_field="a")) != stage_fingerprint(
        ScoreFilter(WordCountFilter(), text_field="b")
    )


def test_functions_given_to_a_stage_count_by_their_code() -> None:
    def shout(text: str) -> str:
        return text.upper()

    def whisper(text: str) -> str:
        return text.lower()

    assert stage_fingerprint(Modify(shout)) == stage_fingerprint(Modify(shout))
    assert stage_fingerprint(Modify(shout)) != stage_fingerprint(Modify(whisper))


def test_attributes_a_stage_declares_irrelevant_are_left_out() -> None:
    assert stage_fingerprint(Slow(0.5, "a.log")) == stage_fingerprint(Slow(0.0, "b.log"))


def test_fingerprints_are_the_same_in_another_process() -> None:
    code = (
        "from curator_dask.backends.dask.fingerprint import pipeline_fingerprints\n"
        "from curator_dask.stages.text.filters import ScoreFilter\n"
        "from curator_dask.stages.text.filters.heuristic import WordCountFilter\n"
        "print(pipeline_fingerprints([ScoreFilter(WordCountFilter(min_words=7))])[0]['fingerprint'])\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    ).stdout.strip()
    assert other == pipeline_fingerprints([ScoreFilter(WordCountFilter(min_words=7))])[0]["fingerprint"]


def test_input_fingerprints_follow_size_and_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "a"}\n')
    before = input_fingerprint([str(path)])
    assert input_fingerprint([str(path)]) == before
    path.write_text('{"text": "ab"}\n')
    assert input_fingerprint([str(path)]) != before
    assert input_fingerprint([str(tmp_path / "gone.jsonl")]) == {str(tmp_path / "gone.jsonl"): [None, None]}


def test_a_stage_holding_string_ids_has_the_fingerprint_of_their_values() -> None:
    import numpy as np

    from curator_dask.stages.deduplication.removal import DropIdsStage

    def ids(values: list[str]) -> np.ndarray:  # equal strings built afresh: other objects, other pointers
        return np.array(["".join(["doc-", v]) for v in values], dtype=object)

    same = [stage_fingerprint(DropIdsStage(ids(["1", "22"]), "id")) for _ in range(2)]
    assert same[0] == same[1]
    assert stage_fingerprint(DropIdsStage(ids(["1", "23"]), "id")) != same[0]
