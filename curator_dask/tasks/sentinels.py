"""Payload-less marker tasks. They get ids from the adapter and never reach the next stage."""

from __future__ import annotations

from dataclasses import dataclass, field

from curator_dask.tasks.tasks import Task

__all__ = ["EmptyTask", "FailedTask", "NoneTask", "SentinelTask"]


@dataclass(repr=False)  # keep Task.__repr__: a short line, never the payload
class SentinelTask(Task[None]):
    """Base of the markers: no data."""

    data: None = None

    def __post_init__(self) -> None:
        if self.data is not None:
            msg = f"{type(self).__name__} carries no data; got {type(self.data).__name__}"
            raise TypeError(msg)
        super().__post_init__()

    @property
    def num_items(self) -> int:
        return 0

    def validate(self) -> bool:
        return True


@dataclass(repr=False)
class EmptyTask(SentinelTask):
    """Seeds source stages; the implicit root ``"0"`` every task id descends from."""

    dataset_name: str = "empty"
    task_id: str = field(init=False, default="0")


@dataclass(repr=False)
class NoneTask(SentinelTask):
    """A slot a stage filtered out (a stage that returns ``None`` produces one)."""

    dataset_name: str = "none"


@dataclass(repr=False)
class FailedTask(SentinelTask):
    """A recoverable per-task failure: recorded by the adapter, then dropped."""

    dataset_name: str = "failed"
    error: str = ""
