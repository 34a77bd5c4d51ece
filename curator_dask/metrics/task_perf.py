"""Aggregating the performance records that output tasks carry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from curator_dask.pipeline.workflow import WorkflowRunResult
    from curator_dask.tasks import Task
    from curator_dask.utils.performance_utils import StagePerfStats

__all__ = ["TaskPerfUtils"]

# a list of tasks; {pipeline_name: tasks}; a WorkflowRunResult, or one as a dict {"pipeline_tasks": {...}}
TaskCollection: TypeAlias = "Iterable[Task] | Mapping[str, Any] | WorkflowRunResult | None"


def _by_pipeline(tasks: TaskCollection) -> dict[str, list[Task]]:
    from curator_dask.tasks import Task

    if tasks is None:
        return {"": []}
    pipeline_tasks = getattr(tasks, "pipeline_tasks", None)  # a WorkflowRunResult
    if isinstance(pipeline_tasks, Mapping):
        tasks = pipeline_tasks
    if isinstance(tasks, Mapping):
        nested = tasks.get("pipeline_tasks")
        source = nested if isinstance(nested, Mapping) else tasks  # a workflow result dict, or a plain mapping
        return {
            str(name): [group] if isinstance(group, Task) else list(group or []) for name, group in source.items()
        } or {"": []}
    return {"": list(tasks)}  # type: ignore[arg-type]


def _record_key(perf: StagePerfStats) -> object:
    """Identifies one batch call's record, also in copies made by pickling between processes (where
    the object identity that NeMo Curator relies on is lost); equal records of two calls differ."""
    record_id = getattr(perf, "_record_id", None)
    if record_id is not None:
        return record_id
    return (perf.stage_name, perf.process_time, perf.actor_idle_time, perf.num_items_processed, perf.input_data_size_mb)


class TaskPerfUtils:
    """Per-stage metrics from a run's output tasks.

    One batch may produce many tasks that share one ``StagePerfStats`` record; each record is
    counted once, even when tasks travelled between processes separately and hold copies of it.
    """

    @staticmethod
    def collect_stage_metrics(tasks: TaskCollection) -> dict[str, dict[str, np.ndarray]]:
        """``{stage_name: {metric: values}}`` with one value per batch the stage ran."""
        collected: dict[str, dict[str, list[float]]] = {}
        seen: set[object] = set()
        for group in _by_pipeline(tasks).values():
            for task in group:
                for perf in task._stage_perf:
                    key = _record_key(perf)
                    if key in seen:
                        continue
                    seen.add(key)
                    metrics = collected.setdefault(perf.stage_name, defaultdict(list))
                    for name, value in perf.items():
                        metrics[name].append(float(value))
        return {stage: {m: np.asarray(v, dtype=float) for m, v in ms.items()} for stage, ms in collected.items()}

    @staticmethod
    def aggregate_task_metrics(tasks: TaskCollection, prefix: str | None = None) -> dict[str, float]:
        """``{<stage>_<metric>_<sum|mean|std>: value}`` over all batches of each stage."""
        out: dict[str, float] = {}
        groups = _by_pipeline(tasks)
        for pipeline_name, group in groups.items():
            if prefix:
                stage_prefix: str | None = f"{prefix}_{pipeline_name}" if pipeline_name else prefix
            else:
                stage_prefix = pipeline_name if pipeline_name and len(groups) > 1 else None
            for stage, metrics in TaskPerfUtils.collect_stage_metrics(group).items():
                key_stage = stage if stage_prefix is None else f"{stage_prefix}_{stage}"
                for metric, values in metrics.items():
                    for agg, fn in (("sum", np.sum), ("mean", np.mean), ("std", np.std)):
                        out[f"{key_stage}_{metric}_{agg}"] = float(fn(values)) if len(values) else 0.0
        return out

    @staticmethod
    def get_aggregated_stage_stat(tasks: TaskCollection, stage_prefix: str, stat: str) -> float:
        """Sum of ``stat`` over every stage whose name starts with ``stage_prefix``."""
        return sum(
            float(np.sum(metrics[stat]))
            for stage, metrics in TaskPerfUtils.collect_stage_metrics(tasks).items()
            if stage.startswith(stage_prefix) and stat in metrics
        )
