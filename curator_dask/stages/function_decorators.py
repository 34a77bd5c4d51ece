"""``processing_stage``: turn a one-argument function into a stage."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.tasks import Task

__all__ = ["processing_stage"]


class FunctionStage(ProcessingStage[Task, Task]):
    """A stage whose ``process`` calls a plain function. Made by ``processing_stage``."""

    _is_abstract_root = True

    def __init__(self, fn: Callable[[Task], Any], name: str, resources: Resources, batch_size: int | None) -> None:
        self.fn = fn
        self.name = name
        self.resources = resources
        self.batch_size = batch_size

    def process(self, task: Task) -> Task | list[Task] | None:
        out = self.fn(task)
        for child in out if isinstance(out, list) else [out]:
            if isinstance(child, Task) and child is not task:
                # a new task object carries its parent's history on
                child._metadata = dict(task._metadata)
                child._stage_perf = list(task._stage_perf)
        return out

    def __repr__(self) -> str:
        return f"FunctionStage({self.name})"


def processing_stage(
    *,
    name: str,
    resources: Resources | dict[str, float] | None = None,
    batch_size: int | None = 1,
) -> Callable[[Callable[[Any], Any]], FunctionStage]:
    """Decorate a function of one task to make it a stage instance.

    Example:
        >>> @processing_stage(name="word_count")
        ... def word_count(batch):
        ...     batch.data["words"] = batch.data["text"].str.split().str.len()
        ...     return batch
    """
    if isinstance(resources, dict):
        resources = Resources(**resources)
    res = resources or Resources()

    def decorator(fn: Callable[[Any], Any]) -> FunctionStage:
        params = inspect.signature(fn).parameters
        if len(params) != 1:
            msg = f"@processing_stage function {fn.__name__!r} must take exactly one argument (the task)"
            raise ValueError(msg)
        stage = FunctionStage(fn, str(name), res, batch_size)
        return stage

    return decorator
