"""``WorkflowRunResult`` and ``WorkflowBase``: what a multi-pipeline workflow's ``run`` returns.

A workflow (exact or fuzzy deduplication, removal) runs one or more pipelines; its result keeps
each pipeline's output tasks under the pipeline's name, plus free-form metadata (timings,
counters). ``TaskPerfUtils.collect_stage_metrics(result)`` aggregates the tasks' performance
records across all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from curator_dask.tasks import Task

__all__ = ["WorkflowBase", "WorkflowRunResult"]


@dataclass
class WorkflowRunResult:
    """The outputs of a workflow's pipelines.

    Attributes:
        workflow_name: which workflow ran (e.g. ``"fuzzy_deduplication"``).
        pipeline_tasks: ``{pipeline name: the tasks it returned}``.
        metadata: timings and counters the workflow recorded.
    """

    workflow_name: str
    pipeline_tasks: dict[str, list[Task]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def add_pipeline_tasks(self, pipeline_name: str, tasks: list[Task] | None) -> None:
        """Keep a copy of the list of tasks ``pipeline_name`` returned (``None``: none)."""
        self.pipeline_tasks[pipeline_name] = list(tasks or [])

    def extend_metadata(self, updates: dict[str, Any] | None = None) -> None:
        """Add (or replace) the entries of ``updates``."""
        if updates:
            self.metadata.update(updates)

    def add_metadata(self, key: str, value: Any) -> None:
        """Set one metadata entry."""
        self.metadata[key] = value

    def get_metadata(self, key: str) -> Any:
        """One metadata entry, ``None`` when it was never set."""
        return self.metadata.get(key)


class WorkflowBase(ABC):
    """A workflow: something whose ``run`` runs pipelines and returns a ``WorkflowRunResult``."""

    @abstractmethod
    def run(self, *args: Any, **kwargs: Any) -> WorkflowRunResult:
        """Run the workflow's pipelines."""
