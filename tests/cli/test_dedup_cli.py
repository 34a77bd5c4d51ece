"""``curator-dask run/describe`` on the packaged dedup workflows, end to end on a generated corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.cli.main import main
from curator_dask.stages.deduplication import FuzzyDeduplicationWorkflow
from curator_dask.stages.deduplication.synthetic import make_corpus
from tests.config.nemo_shapes import write_nemo_yaml

CORPUS = make_corpus(150, duplicate_share=0.5, seed=3)
FUZZY = ["id_field=id", "bands_per_iteration=20"]  # one LSH shuffle on a tiny corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``CORPUS`` as three Parquet files."""
    folder = tmp_path_factory.mktemp("corpus")
    for k in range(3):
        CORPUS.iloc[k::3][["id", "text"]].to_parquet(folder / f"part{k}.parquet")
    return folder


def _run(name: str, corpus_dir: Path, out: Path, *overrides: str) -> tuple[dict[str, Any], str]:
    """Run the packaged workflow ``name`` with ``curator-dask run`` on a local cluster; report and stdout.

    In a fresh process: joined by ``connect`` while another client of this process is open, the
    dedup stages' futures are sometimes cancelled ("lost dependencies"), a race outside the CLI.
    """
    args = ["run", name, f"input_path={corpus_dir}", f"output_path={out}", *overrides, "--local", "--n-workers", "2"]
    command = [sys.executable, "-m", "curator_dask.cli", *args, "--report-dir", str(out.parent / "r")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads((out.parent / "r" / "workflow_report.json").read_text())), done.stdout


def test_exact_dedup_yaml_removes_the_planted_copies(corpus_dir: Path, tmp_path: Path) -> None:
    report, out = _run("exact_dedup", corpus_dir, tmp_path / "out")
    counts = CORPUS["text"].value_counts()
    assert report["documents_in"] == len(CORPUS)
    assert report["duplicate_groups"] == int((counts > 1).sum()) > 0
    assert report["documents_removed"] == len(CORPUS) - len(counts)
    assert report["documents_out"] == len(counts) and len(report["output_files"]) == 3
    assert "ExactDeduplicationWorkflow: DeduplicationReport" in out
    assert f"documents_removed    {len(CORPUS) - len(counts)}" in out


def test_fuzzy_dedup_yaml_reports_what_the_python_workflow_does(client: Any, corpus_dir: Path, tmp_path: Path) -> None:
    report, out = _run("fuzzy_dedup", corpus_dir, tmp_path / "cli" / "out", *FUZZY)
    expected = FuzzyDeduplicationWorkflow(
        input_path=str(corpus_dir), output_path=str(tmp_path / "py"), id_field="id", bands_per_iteration=20
    ).run(DaskExecutor(client=client))
    numbers = ("documents_in", "duplicate_groups", "documents_removed", "documents_out")
    assert [report[k] for k in numbers] == [expected.to_dict()[k] for k in numbers]
    exact_removed = len(CORPUS) - CORPUS["text"].nunique()
    assert exact_removed < report["documents_removed"] < (CORPUS["kind"] != "base").sum() + 5
    assert "FuzzyDeduplicationWorkflow: DeduplicationReport" in out


def test_describe_prints_the_workflow_and_its_stages(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["describe", "fuzzy_dedup", f"input_path={corpus_dir}", f"output_path={tmp_path / 'out'}", "id_field=id"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Workflow: curator_dask.stages.deduplication.fuzzy.workflow.FuzzyDeduplicationWorkflow" in out
    assert "(4 stages in 3 fused chains)" in out and "\n  fuzzy_duplicate_identification\n" in out
    assert f"Run report: {tmp_path / 'out'}/_report" in out
    assert main([*args[:2], "input_path=/no/such/corpus", *args[3:]]) == 1
    assert "InputError: fuzzy_dedup.yaml: input path '/no/such/corpus' of stage" in capsys.readouterr().err


@pytest.fixture(scope="module")
def jsonl_corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``CORPUS`` as three JSONL files (the input_filetype of NeMo Curator's dedup YAMLs)."""
    folder = tmp_path_factory.mktemp("jsonl_corpus")
    for k in range(3):
        CORPUS.iloc[k::3][["id", "text"]].to_json(folder / f"part{k}.jsonl", orient="records", lines=True)
    return folder


@pytest.mark.slow
def test_nemo_curators_exact_dedup_yaml_runs_as_it_is(jsonl_corpus_dir: Path, tmp_path: Path) -> None:
    yaml_path = write_nemo_yaml(tmp_path, "exact")
    report, out = _run(str(yaml_path), jsonl_corpus_dir, tmp_path / "out")
    counts = CORPUS["text"].value_counts()
    assert report["documents_in"] == len(CORPUS) and report["documents_removed"] == len(CORPUS) - len(counts)
    assert "ExactDeduplicationWorkflow: DeduplicationReport" in out
    removal = pd.concat(pd.read_json(p, lines=True) for p in (tmp_path / "out").glob("*.jsonl"))
    assert len(removal) == len(CORPUS) - len(counts)  # perform_removal: False writes the ids to remove


@pytest.mark.slow
def test_nemo_curators_fuzzy_dedup_yaml_runs_as_it_is(jsonl_corpus_dir: Path, tmp_path: Path) -> None:
    yaml_path = write_nemo_yaml(tmp_path, "fuzzy")
    report, out = _run(str(yaml_path), jsonl_corpus_dir, tmp_path / "out", f"cache_path={tmp_path / 'cache'}")
    assert report["documents_in"] == len(CORPUS)
    assert len(CORPUS) - CORPUS["text"].nunique() < report["documents_removed"] < (CORPUS["kind"] != "base").sum() + 5
    assert "FuzzyDeduplicationWorkflow: DeduplicationReport" in out
    assert not (tmp_path / "cache").exists()  # NeMo's cache folder is not used (a warning says so)
