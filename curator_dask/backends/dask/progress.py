"""The live progress display of a run: tqdm bars on a terminal or in Jupyter, log lines elsewhere.

Per pipeline one line: input partitions done / total, documents in / kept, %, elapsed and ETA;
under it one line per fused chain (the stages one Dask task runs, named as in the dashboard).
Where stderr is no terminal (a batch job's log) one plain line per ``interval`` says the same. At
the end, ``kept K of N documents (P%)``. In ``auto`` mode a run shorter than the first refresh
shows nothing, so small runs and tests stay quiet.

Counting, from what finished chains report (``ChainOutcome``): a partition is one task the source
stage emitted (a reader's file group); it is done when the chain that takes it has finished.
Documents in are the rows the stages that take no documents (readers) emit; documents kept are
the rows the last stage that sees documents lets through (for a writer: the rows it wrote).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from tqdm.std import tqdm

from curator_dask.backends.dask.plan import StageProfile
from curator_dask.metrics.run_result import StageSummary

__all__ = ["MODES", "Progress", "resolve_mode"]

MODES: tuple[str, ...] = ("auto", "bar", "log", "off")
BAR_REFRESH = 0.5  # seconds between redraws of the bars (tqdm's own limit is per bar)
LABEL_WIDTH = 44


def _in_jupyter() -> bool:
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def resolve_mode(mode: str | bool, stream: TextIO) -> str:
    """``bar``, ``log`` or ``off`` for a configured mode (``True`` is ``auto``, ``False`` ``off``)."""
    if mode is True or mode == "auto":
        if _in_jupyter():  # text bars would garble there: Jupyter redraws a line, never moves up
            return "bar" if importlib.util.find_spec("ipywidgets") is not None else "log"
        return "bar" if stream.isatty() and os.environ.get("TERM") != "dumb" else "log"
    return "off" if mode is False else str(mode)


def _bar_class() -> type[Any]:
    if _in_jupyter() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_tqdm  # widgets, one per line

        return notebook_tqdm
    return tqdm


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


class Progress:
    """What the driver shows while a run goes on.

    Args:
        mode: ``auto``, ``bar``, ``log`` or ``off`` (or ``True``/``False``), see ``resolve_mode``.
        interval: seconds between log lines; bars appear after ``min(interval, 2)`` seconds.
        profiles: the pipeline's stages.
        plans: the chain plan of each start stage (where each chain's fused stages end).
        labels: each start stage's chain label (``attempts.chain_label``).
        stream: where to write (default: ``sys.stderr``).
    """

    def __init__(
        self,
        mode: str | bool,
        interval: float,
        profiles: Sequence[StageProfile],
        labels: Sequence[str],
        stream: TextIO | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.mode = resolve_mode(mode, self.stream)
        self.interval = interval
        self.labels = list(labels)
        self.started = time.perf_counter()
        n = len(profiles)
        self.chain_done = [0] * n  # input tasks of finished chains, by the stage they started at
        self.stage_tasks = [0] * n  # tasks each stage took, in any chain
        self.docs_in = [0] * n
        self.docs_out = [0] * n
        self.seen = [False] * n  # stages documents reached
        self.partitions = 0  # tasks the source stage emitted
        self._source = profiles[0].is_source
        self._first = 1 if self._source and n > 1 else 0
        self._explicit = mode in ("bar", "log")
        self._delay = interval if self.mode == "log" else min(interval, 2.0)
        self._due = self.started + self._delay
        self._bars: dict[int, Any] = {}  # -1: the pipeline's bar; else a chain's, by start stage
        self._finished_in: dict[int, float] = {}  # seconds a finished chain's bar took
        self._shown = False

    # -- counting ---------------------------------------------------------------------------
    def finished(
        self, start: int, counts: Mapping[int, StageSummary], documents: Mapping[int, tuple[int, int]]
    ) -> None:
        """Count a finished chain.

        Args:
            start: the stage the chain started at.
            counts: what each stage it ran did (``ChainOutcome.counts``).
            documents: ``{stage: (rows in, rows out)}`` of those stages (``ChainOutcome.documents``).
        """
        for index, count in counts.items():
            self.stage_tasks[index] += count.tasks_in
            if index == start:
                self.chain_done[start] += count.tasks_in
            if index == 0 and self._source:
                self.partitions += count.tasks_out
        for index, (rows_in, rows_out) in documents.items():
            self.docs_in[index] += rows_in
            self.docs_out[index] += rows_out
            self.seen[index] = True

    def documents(self) -> tuple[int, int]:
        """``(documents in, documents kept)`` so far."""
        seen = [i for i, s in enumerate(self.seen) if s]
        if not seen:
            return 0, 0
        readers = [i for i in seen if self.docs_in[i] == 0]
        read = sum(self.docs_out[i] for i in readers) if readers else self.docs_in[seen[0]]
        return read, self.docs_out[seen[-1]]

    # -- showing ----------------------------------------------------------------------------
    def due(self) -> bool:
        """Whether ``report`` should be called now (cheap: the driver asks after every round)."""
        return self.mode != "off" and time.perf_counter() >= self._due

    def report(self, pending: Sequence[int]) -> None:
        """Redraw the bars, or print a log line; ``pending[i]``: tasks queued or running at start stage i."""
        now = time.perf_counter()
        self._due = now + (BAR_REFRESH if self.mode == "bar" else self.interval)
        self._shown = True
        totals = [done + waiting for done, waiting in zip(self.chain_done, pending, strict=True)]
        if self.mode == "bar":
            self._draw(totals)
        else:
            print(self._line(totals, now), file=self.stream, flush=True)

    def close(self, completed: bool = True) -> None:
        """Close the bars; after a completed run that showed progress (or asked for it), print
        ``kept K of N documents (P%)``."""
        if self._bars:
            self._draw(self.chain_done)  # the final counts, then the bars stay on screen
        for key, bar in self._bars.items():
            if key in self._finished_in:  # closing redraws it: with the time it took, not the run's
                bar.start_t = bar._time() - self._finished_in[key]
                bar.last_print_t = bar._time()  # else tqdm thinks it never drew it, skips it and a line is lost
            bar.close()
        self._bars.clear()
        if completed and self.mode != "off" and (self._shown or self._explicit):
            read, kept = self.documents()
            print(f"[curator_dask] kept {kept:,} of {read:,} documents ({_share(kept, read)})", file=self.stream)

    def _partitions(self, totals: Sequence[int]) -> tuple[int, int | None]:
        """Partitions done and their total (None while the source stage still runs)."""
        if not self._source:
            return self.stage_tasks[0], totals[0]
        if self._first == 0:
            return self.partitions, None if not self.chain_done[0] else self.partitions
        return self.stage_tasks[1], self.partitions if totals[0] <= self.chain_done[0] else None

    def _summary(self) -> str:
        read, kept = self.documents()
        return f"documents {read:,} in, {kept:,} kept ({_share(kept, read)})"

    def _line(self, totals: Sequence[int], now: float) -> str:
        done, total = self._partitions(totals)
        elapsed = now - self.started
        eta = tqdm.format_interval(elapsed * (total - done) / done) if total and done else "?"
        chains = "; ".join(f"{self.labels[i]} {self.chain_done[i]}/{t}" for i, t in enumerate(totals) if t)
        return (
            f"[curator_dask] {tqdm.format_interval(elapsed)} partitions {done}/{'?' if total is None else total} "
            f"({_share(done, total or 0)}), {self._summary()}, ETA {eta} | chains: {chains}"
        )

    def _draw(self, totals: Sequence[int]) -> None:
        done, total = self._partitions(totals)
        self._set(-1, "partitions", "part", done, total, self._summary(), settled=False)
        settled = True  # no chain before this one may still send it tasks
        for i, total in enumerate(totals):
            settled = settled and self.chain_done[i] == total
            if total:
                label = self.labels[i]
                short = label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"
                self._set(i, f"  {short}", "task", self.chain_done[i], total, None, settled)

    def _set(
        self, key: int, desc: str, unit: str, done: int, total: int | None, postfix: str | None, settled: bool
    ) -> None:
        bar = self._bars.get(key)
        if bar is None:
            where = {"file": self.stream, "position": len(self._bars), "dynamic_ncols": True, "leave": True}
            # delay > 0: tqdm draws nothing until the refresh below, after the clock is set back
            bar = _bar_class()(desc=desc, unit=unit, total=total, initial=done, postfix=postfix, delay=1e-9, **where)
            # rate, elapsed and ETA over the whole run, not since this bar appeared
            bar.start_t = bar._time() - (time.perf_counter() - self.started)
            bar.initial = 0
            self._bars[key] = bar
        elif key in self._finished_in:
            return  # a finished chain keeps the line it finished with (its clock and rate stop)
        bar.total = total
        bar.n = done
        if postfix is not None:
            bar.set_postfix_str(postfix, refresh=False)
        if settled:
            self._finished_in[key] = bar._time() - bar.start_t
        bar.refresh()
