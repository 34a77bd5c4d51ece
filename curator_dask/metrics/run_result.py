"""``RunResult``: the output tasks of a run, plus what happened on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RunResult", "StageSummary"]


@dataclass
class StageSummary:
    """Totals of one stage over a run."""

    name: str
    batches: int = 0
    tasks_in: int = 0
    items_in: int = 0
    tasks_out: int = 0
    seconds: float = 0.0

    def merge(self, other: StageSummary) -> None:
        """Add ``other``'s counts (the same stage's work elsewhere) to this summary."""
        self.batches += other.batches
        self.tasks_in += other.tasks_in
        self.items_in += other.items_in
        self.tasks_out += other.tasks_out
        self.seconds += other.seconds

    @property
    def items_per_second(self) -> float:
        return self.items_in / self.seconds if self.seconds > 0 else 0.0


class RunResult(list):  # type: ignore[type-arg]
    """A list of the last stage's output tasks (what NeMo Curator's executors return) that also
    carries the run's failures, per-stage totals and wall time.

    Attributes:
        failures: one record per batch that failed and was dropped (``failure_policy="continue"``)
            and per ``FailedTask`` a stage emitted.
        stages: per-stage totals, in pipeline order.
        wall_time: seconds from the start of ``execute`` to its end.
        retries: chains that ran more than once, and why (a lost worker, a retried error).
        skipped_sources: input partitions skipped because an earlier run wrote them completely.
        stale_files: files an earlier run wrote into the output that this run neither kept (as a
            skipped partition's) nor wrote again: its pipeline or inputs differed. Never deleted.
        excluded_workers: ``{worker: reason}`` for workers left out because their setup failed.
    """

    def __init__(self, tasks: list[Any] | None = None) -> None:
        super().__init__(tasks or [])
        self.failures: list[Any] = []
        self.stages: list[StageSummary] = []
        self.wall_time: float = 0.0
        self.retries: list[Any] = []
        self.skipped_sources: list[str] = []
        self.stale_files: list[str] = []
        self.excluded_workers: dict[str, str] = {}

    @property
    def num_failed(self) -> int:
        return len(self.failures)
