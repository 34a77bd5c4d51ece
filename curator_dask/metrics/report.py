"""The run report: per-stage tasks, items, time and throughput, as text, CSV, markdown and a plot.

Built from a ``RunResult``'s per-stage totals. A stage's items out are the next stage's items in
(every output task goes on to the next stage); the last stage's are counted from the result.
``seconds`` is processing time summed over batches (worker-seconds, not wall time), so the plot
shows where the cluster spent its effort. The plot is a PNG drawn with matplotlib when it imports
(imported only then) and an HTML page with an inline SVG chart otherwise, so a plain
``pip install curator_dask`` still gets one, and a broken matplotlib install costs a warning, not
the report of a finished run.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curator_dask.metrics.run_result import RunResult

__all__ = [
    "StageRow",
    "format_table",
    "plot_stage_times",
    "plot_stage_times_html",
    "stage_rows",
    "to_markdown",
    "write_report",
]

logger = logging.getLogger(__name__)

_HEADERS = ("stage", "batches", "tasks in", "tasks out", "items in", "items out", "seconds", "items/s", "time %")


@dataclass(frozen=True)
class StageRow:
    """One stage's line of the report."""

    stage: str
    batches: int
    tasks_in: int
    tasks_out: int
    items_in: int
    items_out: int
    seconds: float
    items_per_second: float
    time_share: float

    def cells(self) -> list[str]:
        """The row formatted for a table, in ``_HEADERS`` order."""
        return [
            self.stage,
            str(self.batches),
            str(self.tasks_in),
            str(self.tasks_out),
            str(self.items_in),
            str(self.items_out),
            f"{self.seconds:.3f}",
            f"{self.items_per_second:,.0f}",
            f"{100 * self.time_share:.1f}",
        ]


def stage_rows(result: RunResult) -> list[StageRow]:
    """The report rows of ``result``, in pipeline order."""
    stages = list(result.stages)
    total = sum(s.seconds for s in stages) or 1.0
    last_out = sum(getattr(task, "num_items", 0) or 0 for task in result)
    rows = []
    for i, s in enumerate(stages):
        items_out = stages[i + 1].items_in if i + 1 < len(stages) else last_out
        rows.append(
            StageRow(s.name, s.batches, s.tasks_in, s.tasks_out, s.items_in, items_out,
                     s.seconds, s.items_per_second, s.seconds / total)
        )  # fmt: skip
    return rows


def format_table(rows: list[StageRow], wall_time: float | None = None) -> str:
    """A fixed-width text table (for the terminal and batch logs)."""
    table = [list(_HEADERS)] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(_HEADERS))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
             for line in table]  # fmt: skip
    if wall_time is not None:
        lines.append(f"wall time: {wall_time:.2f} s; stage seconds are processing time summed over workers")
    return "\n".join(lines)


def to_markdown(rows: list[StageRow]) -> str:
    """The table as GitHub markdown."""
    lines = ["| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def plot_stage_times(rows: list[StageRow], path: str | Path | None = None) -> Any:
    """A horizontal bar chart of seconds per stage; saved to ``path`` (PNG) when given.

    Returns:
        The matplotlib ``Figure``.
    """
    from matplotlib.figure import Figure  # a bare Figure needs no GUI backend (and no pyplot state)

    figure = Figure(figsize=(8, 1.2 + 0.28 * max(1, len(rows))), layout="constrained")
    axes = figure.subplots()
    names = [r.stage for r in rows][::-1]
    seconds = [r.seconds for r in rows][::-1]
    bars = axes.barh(names, seconds, color="#4c72b0")
    axes.bar_label(bars, labels=[f"{100 * r.time_share:.0f}%" for r in rows][::-1], padding=3, fontsize=7)
    axes.set_xlabel("processing seconds (summed over workers)")
    axes.set_title("Where the time went")
    axes.tick_params(axis="y", labelsize=7)
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def plot_stage_times_html(rows: list[StageRow], path: str | Path) -> None:
    """The same chart as ``plot_stage_times`` as an HTML page with an inline SVG (no dependencies)."""
    longest = max((r.seconds for r in rows), default=0.0) or 1.0
    bar_h, label_w, chart_w = 18, 230, 420
    bars = []
    for i, r in enumerate(rows):
        y = 30 + i * (bar_h + 4)
        width = chart_w * r.seconds / longest
        name = html.escape(r.stage)
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{name}</text>'
            f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h}" fill="#4c72b0">'
            f"<title>{name}: {r.seconds:.3f} s</title></rect>"
            f'<text x="{label_w + width + 4:.1f}" y="{y + 13}">{r.seconds:.2f} s ({100 * r.time_share:.0f}%)</text>'
        )
    height = 40 + len(rows) * (bar_h + 4)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + 120}" height="{height}" '
        f'font-family="sans-serif" font-size="11"><text x="{label_w}" y="16" font-size="13">'
        f"Where the time went (processing seconds, summed over workers)</text>{''.join(bars)}</svg>"
    )
    Path(path).write_text(f"<!doctype html><meta charset='utf-8'><title>Stage times</title>{svg}\n")


def _has_matplotlib() -> bool:
    """Whether matplotlib imports: not installed means the SVG page; installed but failing to import
    (say, built for another numpy) means the SVG page and a warning that says why."""
    if importlib.util.find_spec("matplotlib") is None:
        return False
    try:
        import matplotlib.figure  # noqa: F401  (what plot_stage_times needs)
    except ImportError as exc:
        logger.warning(
            "matplotlib is installed but does not import (%s: %s); writing stage_times.html instead of "
            "stage_times.png. Reinstall matplotlib (pip install --force-reinstall matplotlib) for the PNG.",
            type(exc).__name__,
            exc,
        )
        return False
    return True


def write_report(result: RunResult, folder: str | Path, plot: bool = True) -> dict[str, Path]:
    """Write ``stage_report.csv``, ``stage_report.md`` and (with ``plot``) the time chart:
    ``stage_times.png`` where matplotlib imports, else ``stage_times.html`` (an inline SVG). Inside a
    writer's output folder the files are first recorded in its manifest, so that ``mode='overwrite'``
    may replace them.

    Returns:
        ``{"csv": path, "markdown": path, "plot": path}`` for the files written.
    """
    from curator_dask.stages.text.io.writer.manifest import record_written

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows = stage_rows(result)
    paths = {"csv": out / "stage_report.csv", "markdown": out / "stage_report.md"}
    if plot and rows:
        paths["plot"] = out / ("stage_times.png" if _has_matplotlib() else "stage_times.html")
    record_written(paths.values())
    with open(paths["csv"], "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[fl.name for fl in dataclasses.fields(StageRow)])
        writer.writeheader()
        writer.writerows(dataclasses.asdict(r) for r in rows)
    wall = f"\nWall time: {result.wall_time:.2f} s. Failures: {len(result.failures)}.\n"
    paths["markdown"].write_text(to_markdown(rows) + wall)
    if "plot" in paths:
        draw = plot_stage_times if paths["plot"].suffix == ".png" else plot_stage_times_html
        draw(rows, paths["plot"])
    return paths
