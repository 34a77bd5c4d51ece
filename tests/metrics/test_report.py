"""The run report: rows, text and markdown tables, and the files written, with and without matplotlib.

The PNG chart is tested where matplotlib imports; the SVG page always, in a subprocess where
matplotlib cannot be imported (blocked as if not installed, or a broken install on the path).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from curator_dask.metrics.report import (
    StageRow,
    format_table,
    plot_stage_times_html,
    stage_rows,
    to_markdown,
    write_report,
)
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.tasks import FileGroupTask

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
# Writes ``_result()``'s report into argv[1] in a fresh interpreter; prints the paths as JSON.
_WRITE_REPORT = """
import json, sys
if sys.argv[2] == "missing":
    sys.modules["matplotlib"] = None  # `import matplotlib` now fails as where it is not installed
from curator_dask.metrics.report import write_report
from tests.metrics.test_report import _result
print(json.dumps({kind: str(path) for kind, path in write_report(_result(), sys.argv[1]).items()}))
"""


def _result() -> RunResult:
    result = RunResult([FileGroupTask(dataset_name="d", data=["a.jsonl"]), FileGroupTask(dataset_name="d", data=["b"])])
    result.stages = [
        StageSummary("jsonl_reader", batches=2, tasks_in=2, items_in=2, tasks_out=2, seconds=1.0),
        StageSummary("word_count", batches=2, tasks_in=2, items_in=100, tasks_out=2, seconds=3.0),
        StageSummary("jsonl_writer", batches=2, tasks_in=2, items_in=60, tasks_out=2, seconds=0.0),
    ]
    result.wall_time = 2.5
    return result


def _report_without_matplotlib(folder: Path, how: str, pythonpath: str = "") -> tuple[dict[str, Path], str]:
    """``write_report`` in a subprocess where matplotlib is ``missing`` (blocked) or ``broken``
    (``pythonpath`` holds a package of that name that fails to import). Returns paths and stderr."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (pythonpath, str(REPO)) if p)}
    out = subprocess.run(
        [sys.executable, "-c", _WRITE_REPORT, str(folder), how],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return {kind: Path(path) for kind, path in json.loads(out.stdout).items()}, out.stderr


def _svg_bars(page: str) -> list[tuple[str, float]]:
    """``(title, width)`` of each bar of the page's inline SVG, which must be well-formed XML."""
    match = re.search(r"<svg\b.*</svg>", page, re.DOTALL)
    assert match, page
    svg = ET.fromstring(match.group())  # raises on markup that is not well-formed
    assert svg.tag == f"{SVG}svg"
    return [(rect.findtext(f"{SVG}title", ""), float(rect.get("width", "nan"))) for rect in svg.iter(f"{SVG}rect")]


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


@pytest.mark.parametrize("chart", ["png", "svg"])
def test_write_report_files(tmp_path: Path, chart: str) -> None:
    if chart == "png":
        pytest.importorskip("matplotlib", reason="the PNG chart needs matplotlib; the SVG case runs without it")
        paths = write_report(_result(), tmp_path / "report")
    else:
        paths, stderr = _report_without_matplotlib(tmp_path / "report", "missing")
        assert "matplotlib" not in stderr  # not installed is the documented fallback: no warning
    plot_name = {"png": "stage_times.png", "svg": "stage_times.html"}[chart]
    assert sorted(p.name for p in paths.values()) == ["stage_report.csv", "stage_report.md", plot_name]
    assert all(p.parent == tmp_path / "report" for p in paths.values())
    with open(paths["csv"]) as f:
        assert [r["stage"] for r in csv.DictReader(f)] == ["jsonl_reader", "word_count", "jsonl_writer"]
    assert "Wall time: 2.50 s. Failures: 0." in paths["markdown"].read_text()
    if chart == "png":
        assert paths["plot"].read_bytes()[:4] == b"\x89PNG"
        return
    page = paths["plot"].read_text()
    assert page.startswith("<!doctype html>") and "3.00 s (75%)" in page
    # one bar per stage, in pipeline order, as long as its share of the longest stage's time
    assert _svg_bars(page) == [
        ("jsonl_reader: 1.000 s", 140.0),
        ("word_count: 3.000 s", 420.0),
        ("jsonl_writer: 0.000 s", 0.0),
    ]


def test_a_broken_matplotlib_gives_the_svg_page_and_says_why(tmp_path: Path) -> None:
    fake = tmp_path / "site" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("numpy.core.multiarray failed to import")\n')
    paths, stderr = _report_without_matplotlib(tmp_path / "report", "broken", pythonpath=str(fake.parent))
    assert paths["plot"].name == "stage_times.html"
    assert len(_svg_bars(paths["plot"].read_text())) == 3
    assert (
        "matplotlib is installed but does not import (ImportError: numpy.core.multiarray failed to import); "
        "writing stage_times.html instead of stage_times.png. Reinstall matplotlib" in stderr
    )


def test_svg_stays_well_formed_with_markup_in_stage_names(tmp_path: Path) -> None:
    names = ["dedup<exact>", "a & b", "say \"hi\" 'there'"]
    rows = [StageRow(name, 1, 1, 1, 1, 1, float(i + 1), 1.0, (i + 1) / 6) for i, name in enumerate(names)]
    plot_stage_times_html(rows, tmp_path / "chart.html")
    assert [title for title, _ in _svg_bars((tmp_path / "chart.html").read_text())] == [
        f"{name}: {i + 1}.000 s" for i, name in enumerate(names)
    ]
