"""Named steps of an identification run: seconds and rows per step, logged and kept as metrics.

A deduplication stage runs its steps (MinHash, LSH buckets, buckets to edges, connected
components, ...) one after the other on the cluster, each computed before the next starts, so a
step's seconds are the cluster's time for it. ``StepLog.step`` times one step, logs its start
(``DEBUG``) and its end (``INFO``: seconds and rows) on the ``curator_dask.stages.deduplication.steps``
logger, and keeps the figures for the stage's custom metrics (``step_<name>_s``,
``step_<name>_rows``), which the workflows turn into their report's ``step_seconds`` and
``step_rows``. The log records carry ``dedup_step`` and ``dedup_phase`` (``"start"`` or ``"end"``)
attributes, so a handler can mark step boundaries (the dedup benchmark samples memory per step
that way).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["STEP_LOGGER", "StepLog", "StepRecord", "steps_from_metrics"]

STEP_LOGGER = "curator_dask.stages.deduplication.steps"
logger = logging.getLogger(STEP_LOGGER)


@dataclass
class StepRecord:
    """What one run of a step reports: set ``rows`` to the rows it produced (if it counted them)."""

    rows: int | None = None


@dataclass
class StepLog:
    """Seconds and rows per step of one stage run; a step run twice (one per band group) adds up."""

    stage_name: str
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[StepRecord]:
        """Time the block as step ``name``; log its start and end."""
        extra = {"dedup_stage": self.stage_name, "dedup_step": name}
        logger.debug("%s: %s started", self.stage_name, name, extra={**extra, "dedup_phase": "start"})
        record = StepRecord()
        began = time.perf_counter()
        try:
            yield record
        finally:
            elapsed = time.perf_counter() - began
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            if record.rows is not None:
                self.rows[name] = self.rows.get(name, 0) + record.rows
            logger.info(
                "%s: %s took %.2f s%s", self.stage_name, name, elapsed,
                "" if record.rows is None else f" ({record.rows} rows)",
                extra={**extra, "dedup_phase": "end"},
            )  # fmt: skip

    def mark(self, name: str) -> None:
        """Log the start of step ``name`` whose seconds are measured elsewhere (e.g. inside a pipeline)."""
        extra = {"dedup_stage": self.stage_name, "dedup_step": name, "dedup_phase": "start"}
        logger.debug("%s: %s started", self.stage_name, name, extra=extra)

    def metrics(self) -> dict[str, float]:
        """``step_<name>_s`` and ``step_<name>_rows`` for the stage's custom metrics."""
        out = {f"step_{name}_s": seconds for name, seconds in self.seconds.items()}
        return out | {f"step_{name}_rows": float(rows) for name, rows in self.rows.items()}


def steps_from_metrics(metrics: dict[str, float]) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds and rows per step, in step order, back from a performance record's custom metrics."""
    seconds = {k[5:-2]: v for k, v in metrics.items() if k.startswith("step_") and k.endswith("_s")}
    rows = {k[5:-5]: int(v) for k, v in metrics.items() if k.startswith("step_") and k.endswith("_rows")}
    return seconds, rows
