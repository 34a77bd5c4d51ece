"""Pure planning: batch sizes, fusion boundaries and resource checks. No cluster I/O here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args, get_origin, get_type_hints

from curator_dask.errors import ResourceError

__all__ = [
    "batch_size_of",
    "check_resources",
    "dask_resources",
    "fusion_stops",
    "may_fan_out",
    "may_split",
    "split_points",
]


def batch_size_of(stage: Any) -> int:
    """The stage's batch size; ``None`` (executor decides) means 1."""
    size = getattr(stage, "batch_size", 1)
    if size is None:
        return 1
    if not isinstance(size, int) or size < 1:
        msg = f"Stage {stage.name!r} has batch_size={size!r}; it must be a positive int or None."
        raise ValueError(msg)
    return size


def dask_resources(stage: Any) -> dict[str, float] | None:
    """The Dask worker resources a stage's tasks need: ``{"GPU": gpus}`` for GPU stages."""
    resources = stage.resources
    return {"GPU": float(resources.gpus)} if resources.requires_gpu and resources.gpus > 0 else None


def fusion_stops(stages: Sequence[Any]) -> list[int]:
    """For each stage index, the first later index a chain starting there may not run.

    Consecutive stages fuse into one chain while they want the same Dask resources; a
    ``CollectionStage`` never fuses (the executor runs it over all its input at once).
    """
    from curator_dask.stages.collection import CollectionStage

    # a collection stage is a fusion group of its own (each gets a unique key)
    keys = [
        ("collection", i) if isinstance(s, CollectionStage) else tuple(sorted((dask_resources(s) or {}).items()))
        for i, s in enumerate(stages)
    ]
    stops = [len(stages)] * len(stages)
    for i in range(len(stages) - 2, -1, -1):
        stops[i] = stops[i + 1] if keys[i] == keys[i + 1] else i + 1
    return stops


def may_fan_out(stage: Any) -> bool:
    """Whether a stage may return more tasks than it was given.

    True when it overrides ``process_batch`` (any shape is possible) or when ``process`` is
    annotated to return a list (NeMo Curator's fan-out test); False for a ``process`` annotated
    to return single tasks. Unresolvable annotations count as a possible fan-out.
    """
    from curator_dask.backends.dask.interop import stage_base_class  # issue 8: NeMo Curator's base

    cls = type(stage)
    if cls.process_batch is not stage_base_class(stage).process_batch:
        return True
    try:
        hint = get_type_hints(cls.process).get("return")
    except Exception:
        return True
    return hint is None or _mentions_list(hint)


def _mentions_list(hint: Any) -> bool:
    if hint is list or get_origin(hint) is list:
        return True
    return any(_mentions_list(arg) for arg in get_args(hint))


def may_split(stages: Sequence[Any], sizes: Sequence[int], start: int, stop: int) -> bool:
    """Whether a chain over ``stages[start:stop]`` may hold more than one batch of a later stage.

    Only then must it stop early so the driver can spread the batches over the cluster.
    """
    if any(sizes[j] < sizes[start] for j in range(start + 1, stop)):
        return True
    return any(may_fan_out(stages[j]) for j in range(start, stop - 1))


def split_points(num_tasks: int, batch_size: int) -> list[tuple[int, int]]:
    """``[(lo, hi), ...]`` slices cutting ``num_tasks`` tasks into batches of ``batch_size``."""
    return [(lo, min(lo + batch_size, num_tasks)) for lo in range(0, num_tasks, batch_size)]


def check_resources(stages: Sequence[Any], worker_resources: Mapping[str, Mapping[str, float]]) -> None:
    """Fail before any work when a stage needs resources that no worker has.

    Args:
        stages: the pipeline's execution stages.
        worker_resources: ``{worker address: {resource: amount}}`` of the connected workers.
    """
    for stage in stages:
        need = dask_resources(stage)
        if not need:
            continue
        able = [w for w, have in worker_resources.items() if all(have.get(k, 0) >= v for k, v in need.items())]
        if not able:
            offered = {w: dict(r) for w, r in worker_resources.items()} or "no workers"
            msg = (
                f"Stage {stage.name!r} needs {need} (Resources(gpus={stage.resources.gpus:g})) but no worker "
                f"offers it; workers have: {offered}. Start GPU workers (a LocalCUDACluster, or "
                f"'dask cuda worker' / 'dask worker --resources GPU=1'), or run the stage on CPU with "
                f".with_(resources=Resources(cpus=1))."
            )
            raise ResourceError(msg)
