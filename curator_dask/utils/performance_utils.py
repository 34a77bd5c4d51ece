"""Per-batch performance records and the timer that makes them."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field

__all__ = ["StagePerfStats", "StageTimer"]


@dataclass
class StagePerfStats:
    """What one stage did for one batch.

    The adapter appends the same record object to every task the batch produced, so a consumer
    that aggregates over tasks must count each object once (``TaskPerfUtils`` does).

    Attributes:
        stage_name: the stage's ``name``.
        process_time: wall seconds of the stage's ``process_batch`` call.
        actor_idle_time: seconds the stage's worker copy waited since its previous batch.
        input_data_size_mb: size of the input batch in items, scaled as NeMo Curator does (/1024²).
        num_items_processed: items in the input batch.
        custom_metrics: values the stage logged with ``_log_metric`` during the call.
    """

    stage_name: str
    process_time: float = 0.0
    actor_idle_time: float = 0.0
    input_data_size_mb: float = 0.0
    num_items_processed: int = 0
    custom_metrics: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Which batch call made this record, kept through pickling (not a field: it is no metric,
        # and equal records of two calls still compare equal). TaskPerfUtils counts a record once
        # per id, so copies of one batch's record count once and equal records of two calls twice.
        self._record_id = os.urandom(8).hex()

    def __add__(self, other: StagePerfStats) -> StagePerfStats:
        keys = self.custom_metrics.keys() | other.custom_metrics.keys()
        return StagePerfStats(
            stage_name=self.stage_name,
            process_time=self.process_time + other.process_time,
            actor_idle_time=self.actor_idle_time + other.actor_idle_time,
            input_data_size_mb=self.input_data_size_mb + other.input_data_size_mb,
            num_items_processed=self.num_items_processed + other.num_items_processed,
            custom_metrics={k: self.custom_metrics.get(k, 0.0) + other.custom_metrics.get(k, 0.0) for k in keys},
        )

    def __radd__(self, other: int | StagePerfStats) -> StagePerfStats:
        if isinstance(other, int) and other == 0:  # lets sum() start from 0
            return self
        if not isinstance(other, StagePerfStats):
            msg = f"Cannot add {type(other).__name__} to StagePerfStats"
            raise TypeError(msg)
        return other.__add__(self)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def items(self) -> list[tuple[str, float]]:
        """Flat ``(metric, value)`` pairs; custom metrics appear as ``custom.<name>``."""
        pairs: list[tuple[str, float]] = [
            ("process_time", self.process_time),
            ("actor_idle_time", self.actor_idle_time),
            ("input_data_size_mb", self.input_data_size_mb),
            ("num_items_processed", float(self.num_items_processed)),
        ]
        pairs.extend((f"custom.{k}", v) for k, v in self.custom_metrics.items())
        return pairs


class StageTimer:
    """Times one stage copy's batches and remembers how long it sat idle between them."""

    def __init__(self, stage_name: str) -> None:
        self._stage_name = stage_name
        self._last_active = time.perf_counter()
        self._first = True

    def measure(self, num_items: int) -> _Measurement:
        """Context manager timing one ``process_batch`` call of ``num_items`` input items."""
        now = time.perf_counter()
        idle = 0.0 if self._first else now - self._last_active
        self._first = False
        return _Measurement(self, num_items, idle)


class _Measurement:
    def __init__(self, timer: StageTimer, num_items: int, idle: float) -> None:
        self._timer = timer
        self._num_items = num_items
        self._idle = idle
        self._start = 0.0
        self.stats: StagePerfStats | None = None

    def __enter__(self) -> _Measurement:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        end = time.perf_counter()
        self._timer._last_active = end
        self.stats = StagePerfStats(
            stage_name=self._timer._stage_name,
            process_time=end - self._start,
            actor_idle_time=self._idle,
            input_data_size_mb=self._num_items / 1024 / 1024,
            num_items_processed=self._num_items,
        )
