"""The run report: rows, text and markdown tables, and the files written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from curator_dask.metrics.report import format_table, stage_rows, to_markdown, write_report
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.tasks import FileGroupTask


def _result() -> RunResult:
    result = RunResult([FileGroupTask(dataset_name="d", data=["a.jsonl"]), FileGroupTask(dataset_name="d", data=["b"])])
    result.stages = [
        StageSummary("jsonl_reader", batches=2, tasks_in=2, items_in=2, tasks_out=2, seconds=1.0),
        StageSummary("word_count", batches=2, tasks_in=2, items_in=100, tasks_out=2, seconds=3.0),
        StageSummary("jsonl_writer", batches=2, tasks_in=2, items_in=60, tasks_out=2, seconds=0.0),
    ]
    result.wall_time = 2.5
    return result


def test_rows_chain_items_out_to_the_next_stage() -> None:
    rows = stage_rows(_result())
    assert [(r.stage, r.items_in, r.items_out) for r in rows] == [
        ("jsonl_reader", 2, 100),
        ("word_count", 100, 60),
        ("jsonl_writer", 60, 2),
    ]
    assert rows[1].items_per_second == 100 / 3 and rows[1].time_share == 0.75 and rows[2].items_per_second == 0


def test_text_and_markdown_tables() -> None:
    rows = stage_rows(_result())
    text = format_table(rows, wall_time=2.5).splitlines()
    assert text[0].split()[:3] == ["stage", "batches", "tasks"] and text[2].split()[-1] == "75.0"
    assert text[-1].startswith("wall time: 2.50 s")
    assert to_markdown(rows).splitlines()[3] == "| word_count | 2 | 2 | 2 | 100 | 60 | 3.000 | 33 | 75.0 |"


def test_write_report_files(tmp_path: Path) -> None:
    paths = write_report(_result(), tmp_path / "report")
    assert sorted(p.name for p in paths.values()) == ["stage_report.csv", "stage_report.md", "stage_times.png"]
    with open(paths["csv"]) as f:
        assert [r["stage"] for r in csv.DictReader(f)] == ["jsonl_reader", "word_count", "jsonl_writer"]
    assert paths["plot"].read_bytes()[:4] == b"\x89PNG"
    assert "Wall time: 2.50 s. Failures: 0." in paths["markdown"].read_text()


def test_without_matplotlib_the_plot_is_an_svg_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from curator_dask.metrics import report

    monkeypatch.setattr(report, "_has_matplotlib", lambda: False)
    paths = write_report(_result(), tmp_path / "report")
    page = paths["plot"].read_text()
    assert paths["plot"].name == "stage_times.html"
    assert page.count("<rect") == 3 and "word_count" in page and "75%" in page
