"""The abstract ``Task``: a payload plus the bookkeeping the framework keeps for it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from curator_dask.utils.hash_utils import get_deterministic_hash as deterministic_hash

if TYPE_CHECKING:
    from curator_dask.metrics import StagePerfStats

__all__ = ["Task", "deterministic_hash"]

T = TypeVar("T")


@dataclass
class Task(ABC, Generic[T]):
    """A unit of work flowing between stages.

    Attributes:
        dataset_name: name of the dataset the task belongs to.
        data: the payload.
        _stage_perf: one ``StagePerfStats`` per stage the task passed.
        _metadata: free-form metadata carried along (readers put ``source_files`` here).
        task_id: set by the framework only: the parent's id plus this task's own segment, joined
            by ``_``. An id starting with ``r`` has no single parent: it is derived from the ids of
            the whole batch it came from and the task's position in the stage's output.
    """

    dataset_name: str
    data: T
    _stage_perf: list[StagePerfStats] = field(default_factory=list)
    _metadata: dict[str, Any] = field(default_factory=dict)
    task_id: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.validate()

    @property
    @abstractmethod
    def num_items(self) -> int:
        """Number of items (documents, files, ...) in the payload."""

    @abstractmethod
    def validate(self) -> bool:
        """Check the payload; raise ``TypeError`` for a payload of the wrong kind."""

    def add_stage_perf(self, perf_stats: StagePerfStats) -> None:
        self._stage_perf.append(perf_stats)

    def _set_task_id(self, parent_task_id: str, segment: str | int) -> None:
        self.task_id = f"{parent_task_id}_{segment}" if parent_task_id else str(segment)

    def get_deterministic_id(self) -> str | None:
        """A content id a source stage uses as this task's id segment; ``None`` for positional."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_id={self.task_id}, dataset_name={self.dataset_name})"
