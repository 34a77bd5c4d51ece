"""``processing_stage``: turn a one-argument function into a stage.

Each decorated function gets its own ``FunctionStage`` subclass named after the stage, so
``get_stage_class(name)`` finds it as NeMo Curator's registry does. Instances pickle by value
(function and settings), never by that class, so they travel to workers with plain pickle too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from curator_dask.errors import ConfigError
from curator_dask.stages.base import _STAGE_REGISTRY, ProcessingStage
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

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self).__name__, self.fn, self.name, self.resources, self.batch_size, self.__dict__))


def _stage_class(class_name: str) -> type[FunctionStage]:
    """The ``FunctionStage`` subclass registered as ``class_name``, made (and registered) once."""
    known = _STAGE_REGISTRY.get(class_name)
    if isinstance(known, type) and issubclass(known, FunctionStage):
        return known
    # StageMeta registers it by its class name, as NeMo Curator names it after the stage.
    return type(class_name, (FunctionStage,), {"__module__": __name__, "__doc__": FunctionStage.__doc__})


def _rebuild(
    class_name: str,
    fn: Callable[[Task], Any],
    name: str,
    resources: Resources,
    batch_size: int | None,
    state: dict[str, Any],
) -> FunctionStage:
    stage = _stage_class(class_name)(fn, name, resources, batch_size)
    stage.__dict__.update(state)
    return stage


def processing_stage(
    *,
    name: str,
    resources: Resources | dict[str, float] | None = None,
    batch_size: int | None = None,
) -> Callable[[Callable[[Any], Any]], FunctionStage]:
    """Decorate a function of one task to make it a stage instance.

    ``batch_size`` defaults to ``None`` as in NeMo Curator: the executor decides, and the Dask
    executor gives such a stage one task per call (a function of one task sees one at a time).

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
            msg = (
                f"@processing_stage function {fn.__name__!r} must take exactly one argument (the task), "
                f"it takes {len(params)}"
            )
            raise ConfigError(msg)
        return _stage_class(str(name))(fn, str(name), res, batch_size)

    return decorator
