"""Pure planning: what each stage needs, where chains stop, how batches are cut. No cluster I/O.

The executor turns every stage into a ``StageProfile`` once (``profile_stages``), resolving what
depends on the framework the stage comes from; everything after it (the chain plan, the driver,
the resource check) reads profiles, never stages. A *chain* is one Dask task running consecutive
stages on one batch (see ``chain``); ``plan_chains`` says, for each stage a chain may start at,
where it must stop and whether it may have to stop early.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin, get_type_hints

from curator_dask.errors import PipelineError, ResourceError

__all__ = [
    "ChainPlan",
    "StageProfile",
    "batch_size_of",
    "check_resources",
    "dask_resources",
    "may_fan_out",
    "plan_chains",
    "profile_stages",
    "split_points",
]


@dataclass(frozen=True, slots=True)
class StageProfile:
    """What the planner and the driver need to know of one stage.

    Attributes:
        index: the stage's position in the pipeline.
        name: the stage's name.
        batch_size: tasks per ``process_batch`` call (a stage's ``None`` means 1).
        resources: the Dask worker resources its tasks need (``{"GPU": n}``), or None.
        gpus: ``Resources.gpus`` as declared, for messages.
        may_fan_out: whether it may return more tasks than it was given.
        is_source: whether it is the pipeline's source stage.
        is_collection: whether it is a whole-collection stage (``CollectionStage``).
    """

    index: int
    name: str
    batch_size: int
    resources: dict[str, float] | None
    gpus: float
    may_fan_out: bool
    is_source: bool
    is_collection: bool


@dataclass(frozen=True, slots=True)
class ChainPlan:
    """Where a chain that starts at stage ``start`` may run.

    Attributes:
        start: the first stage it runs.
        stop: the first stage it may not run (a resource change, a collection stage or the end).
        may_split: whether it must stop where its tasks outgrow one batch of the next stage;
            when no stage in it can fan out, it runs every batch itself.
    """

    start: int
    stop: int
    may_split: bool


def batch_size_of(stage: Any) -> int:
    """The stage's batch size; ``None`` (executor decides) means 1.

    Raises:
        PipelineError: for a batch size that is not a positive int, naming the stage.
    """
    size = getattr(stage, "batch_size", 1)
    if size is None:
        return 1
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        msg = f"Stage {stage.name!r} has batch_size={size!r}; it must be a positive int or None."
        raise PipelineError(msg)
    return size


def dask_resources(stage: Any) -> dict[str, float] | None:
    """The Dask worker resources a stage's tasks need: ``{"GPU": gpus}`` for GPU stages."""
    resources = stage.resources
    return {"GPU": float(resources.gpus)} if resources.requires_gpu and resources.gpus > 0 else None


def may_fan_out(stage: Any, base_class: type[Any]) -> bool:
    """Whether a stage may return more tasks than it was given.

    True when it overrides ``process_batch`` of ``base_class`` (its framework's
    ``ProcessingStage``: any shape is possible) or when ``process`` is annotated to return a list
    (NeMo Curator's fan-out test); False for a ``process`` annotated to return single tasks.
    Unresolvable annotations count as a possible fan-out.
    """
    cls = type(stage)
    if cls.process_batch is not base_class.process_batch:
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


def profile_stages(stages: Sequence[Any], base_classes: Sequence[type[Any]]) -> list[StageProfile]:
    """One ``StageProfile`` per stage; ``base_classes[i]`` is stage i's framework ``ProcessingStage``."""
    from curator_dask.stages.collection import CollectionStage

    return [
        StageProfile(
            index=i,
            name=str(stage.name),
            batch_size=batch_size_of(stage),
            resources=dask_resources(stage),
            gpus=float(stage.resources.gpus),
            may_fan_out=may_fan_out(stage, base),
            is_source=bool(getattr(stage, "is_source_stage", False)),
            is_collection=isinstance(stage, CollectionStage),
        )
        for i, (stage, base) in enumerate(zip(stages, base_classes, strict=True))
    ]


def plan_chains(profiles: Sequence[StageProfile]) -> list[ChainPlan]:
    """The ``ChainPlan`` of a chain starting at each stage.

    Consecutive stages fuse into one chain while they want the same Dask resources; a collection
    stage never fuses (the executor runs it over all of its input at once). A chain may split
    when a later stage in it takes smaller batches than its first, or a stage before its last
    may fan out.
    """
    keys: list[Any] = [
        ("collection", p.index) if p.is_collection else tuple(sorted((p.resources or {}).items())) for p in profiles
    ]
    n = len(profiles)
    stops = [n] * n
    for i in range(n - 2, -1, -1):
        stops[i] = stops[i + 1] if keys[i] == keys[i + 1] else i + 1
    plans = []
    for start, stop in enumerate(stops):
        smaller = any(profiles[j].batch_size < profiles[start].batch_size for j in range(start + 1, stop))
        fans_out = any(profiles[j].may_fan_out for j in range(start, stop - 1))
        plans.append(ChainPlan(start=start, stop=stop, may_split=smaller or fans_out))
    return plans


def split_points(num_tasks: int, batch_size: int) -> list[tuple[int, int]]:
    """``[(lo, hi), ...]`` slices cutting ``num_tasks`` tasks into batches of ``batch_size``."""
    return [(lo, min(lo + batch_size, num_tasks)) for lo in range(0, num_tasks, batch_size)]


def check_resources(profiles: Sequence[StageProfile], worker_resources: Mapping[str, Mapping[str, float]]) -> None:
    """Fail before any work when a stage needs resources that no worker has.

    Args:
        profiles: the pipeline's stage profiles.
        worker_resources: ``{worker address: {resource: amount}}`` of the connected workers.

    Raises:
        ResourceError: naming the stage, what it needs, what the workers offer and the fixes.
    """
    for profile in profiles:
        need = profile.resources
        if not need:
            continue
        able = [w for w, have in worker_resources.items() if all(have.get(k, 0) >= v for k, v in need.items())]
        if not able:
            offered = {w: dict(r) for w, r in worker_resources.items()} or "no workers"
            msg = (
                f"Stage {profile.name!r} needs {need} (Resources(gpus={profile.gpus:g})) but no worker "
                f"offers it; workers have: {offered}. Start GPU workers (a LocalCUDACluster, or "
                f"'dask cuda worker' / 'dask worker --resources GPU=1'), or run the stage on CPU with "
                f".with_(resources=Resources(cpus=1))."
            )
            raise ResourceError(msg)
