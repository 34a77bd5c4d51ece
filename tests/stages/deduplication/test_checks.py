"""The checks before deduplication: ids unique and non-null, texts strings, with messages that name the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import DuplicateIdError, InputError
from curator_dask.stages.deduplication import (
    ExactDeduplicationWorkflow,
    ExactDuplicateIdentification,
    FuzzyDeduplicationWorkflow,
    FuzzyDuplicateIdentification,
)
from curator_dask.stages.deduplication.checks import first_bad_text
from tests.stages.deduplication.conftest import collection, identify, read_jsonl

WORKFLOWS = [ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow]
STAGES = [ExactDuplicateIdentification, FuzzyDuplicateIdentification]
FAST_FUZZY = {"bands_per_iteration": 20}
TEXTS = ["one text", "another text", "one text", "a fourth text"]


def _options(cls: type) -> dict[str, Any]:
    return FAST_FUZZY if cls in (FuzzyDeduplicationWorkflow, FuzzyDuplicateIdentification) else {}


def _write_jsonl(folder: Path, name: str, records: list[dict[str, Any]]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records))


def _files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


@pytest.mark.parametrize("workflow_class", WORKFLOWS)
def test_ids_restarting_in_every_file_are_refused_before_anything_is_written(client, tmp_path, workflow_class) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for k in range(3):  # ids 0..3 in every file: each id is shared by three documents
        _write_jsonl(src, f"part{k}.jsonl", [{"id": i, "text": f"{t} {k}"} for i, t in enumerate(TEXTS)])
    common = {"input_path": str(src), "input_filetype": "jsonl", "output_path": str(out), **_options(workflow_class)}
    workflow = workflow_class(id_field="id", **common)
    with pytest.raises(
        DuplicateIdError,
        match=r"Stage '\w+_duplicate_identification': column 'id' must hold a unique id per document, but 4 ids "
        r"are shared by several documents; e\.g\. id [0-3] is in 3 rows\. .*Fix: pass id_field=None to the "
        r"deduplication workflow so that the reader gives every document a unique id, or make the column unique",
    ):
        workflow.run(DaskExecutor(client=client))
    assert _files_under(out) == []  # the check runs before removal, so the writer never ran
    report = workflow_class(id_field=None, **common).run(DaskExecutor(client=client))  # the fix the message names
    assert (report.documents_in, report.documents_removed) == (12, 3)
    assert sorted(r["id"] for r in read_jsonl(report.output_files)) == [0, 0, 0, 1, 1, 1, 3, 3, 3]


@pytest.mark.parametrize("stage_class", STAGES)
def test_null_ids_are_refused(client, stage_class) -> None:
    docs = pd.DataFrame({"id": ["a", None, "c", None], "text": TEXTS})
    with pytest.raises(DuplicateIdError, match=r"column 'id' is null in 2 of 4 documents\. Fix: pass id_field=None"):
        identify(stage_class(id_field="id", **_options(stage_class)), collection(docs, 2, "pandas"))


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, r"None \(null\)"), (np.nan, r"NaN \(float, null\)"), (42, "int 42"), (["a", "b"], r"list \['a', 'b'\]")],
)
@pytest.mark.parametrize("stage_class", STAGES)
def test_a_text_that_is_not_a_string_names_the_document_and_the_fix(client, stage_class, value, shown) -> None:
    docs = pd.DataFrame({"id": [f"d{i}" for i in range(6)], "text": pd.Series([*TEXTS, "x", "y"], dtype=object)})
    docs.at[3, "text"] = value
    docs.at[5, "text"] = value
    stage = stage_class(id_field="id", **_options(stage_class))
    frames = collection(docs, 2, "pandas", stage)
    with pytest.raises(
        InputError,
        match=rf"Stage '{stage.name}': column 'text' must hold a string in every document, but 2 of 6 documents hold "
        rf"something else; the first is document 'd3', holding {shown}\. Fix: drop those documents \(or fill their "
        r"text\) before deduplication, e\.g\. with Filter\(lambda text: isinstance\(text, str\), filter_field='text'\)",
    ):
        identify(stage, frames)


@pytest.mark.parametrize("workflow_class", WORKFLOWS)
def test_a_null_text_in_a_file_fails_the_workflow_before_writing(client, tmp_path, workflow_class) -> None:
    # the fuzzy workflow hashes each batch as it is read: the bad text must still reach the check, counted
    src, out = tmp_path / "in", tmp_path / "out"
    _write_jsonl(src, "a.jsonl", [{"text": "fine"}, {"text": None}, {"text": "fine"}])
    _write_jsonl(src, "b.jsonl", [{"text": 7}, {"text": "fine"}])
    workflow = workflow_class(
        input_path=str(src), input_filetype="jsonl", output_path=str(out), **_options(workflow_class)
    )
    with pytest.raises(
        InputError,
        match=r"column 'text' must hold a string in every document, but 2 of 5 documents .*holding NaN \(float, null\)",
    ):
        workflow.run(DaskExecutor(client=client))
    assert _files_under(out) == []


def test_first_bad_text_reports_one_row_per_partition() -> None:
    part = pd.DataFrame({"id": [7, 8, 9], "text": pd.Series(["a", None, "c"], dtype="str")})
    assert first_bad_text(part, "id", "text").to_dict("records") == [
        {"id": 8, "_value": "NaN (float, null)", "_count": 1}
    ]
    assert first_bad_text(part.iloc[[0, 2]], "id", "text").empty
    numbers = pd.DataFrame({"id": ["x", "y"], "text": [1.5, 2.5]})
    assert first_bad_text(numbers, "id", "text").to_dict("records") == [{"id": "x", "_value": "float 1.5", "_count": 2}]
