"""Running NeMo Curator's own stages on ``DaskExecutor`` (NeMo Curator 1.3 and newer).

A pipeline built from ``nemo_curator`` stages, tasks and ``Pipeline`` runs on ``DaskExecutor``
unchanged: ``nemo_pipeline.run(DaskExecutor())``. Each stage is driven with the per-batch
semantics of the framework it comes from. A NeMo Curator stage gets, on every worker, an adapter
that *is* NeMo Curator's ``BaseStageAdapter`` (its timer and ``StagePerfStats``, its task-id
derivation, its sentinels and its failed-task manifest); only distribution, batching, worker
plugins, resources and failure handling are curator_dask's.

``nemo_curator`` is never imported by this module: a NeMo Curator object is recognised by its
class's MRO (module and name), which needs nothing but the object itself, and NeMo Curator's
classes are imported only once one of its stages is in a run (then it is loaded already).

Stages tied to Ray by design (RAFT actors, rapidsmpf shuffles, the Ray id-generator actor) are
refused before any work, naming the curator_dask equivalent.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curator_dask.errors import PipelineError

__all__ = [
    "FailedSlot",
    "check_ray_only_stages",
    "is_nemo_stage",
    "is_nemo_task",
    "nemo_adapter",
    "seed_tasks",
    "stage_base_class",
]

_NEMO = "nemo_curator"
_NEMO_STAGE = ("nemo_curator.stages.base", "ProcessingStage")
_NEMO_TASK = ("nemo_curator.tasks.tasks", "Task")

# ray_stage_spec() flags that NeMo Curator's RayActorPoolExecutor serves with dedicated actors
# (RAFT comms, rapidsmpf shuffles, LSH buckets): such a stage has no ``process`` of its own.
_RAY_ONLY_FLAGS = ("is_raft_actor", "is_shuffle_stage", "is_lsh_stage")

_DEDUP = "curator_dask.stages.deduplication"
_EQUIVALENTS = (
    ("nemo_curator.stages.deduplication.fuzzy", f"{_DEDUP}.fuzzy.FuzzyDeduplicationWorkflow"),
    ("nemo_curator.stages.deduplication.exact", f"{_DEDUP}.exact.ExactDeduplicationWorkflow"),
    ("nemo_curator.stages.deduplication.semantic", f"{_DEDUP}.semantic.SemanticDeduplicationWorkflow"),
    (
        "nemo_curator.stages.text.deduplication.semantic",
        "curator_dask.stages.text.deduplication.TextSemanticDeduplicationWorkflow",
    ),
)
_GENERIC_EQUIVALENT = (
    f"{_DEDUP}.fuzzy.FuzzyDeduplicationWorkflow or {_DEDUP}.exact.ExactDeduplicationWorkflow for "
    "deduplication, or a curator_dask.stages.collection.CollectionStage for another whole-collection step"
)


@dataclass(frozen=True)
class FailedSlot:
    """A ``FailedTask`` a NeMo Curator stage emitted: what the executor records about it."""

    task_id: str
    error: str | None = None


def _derives_from(obj: Any, base: tuple[str, str]) -> bool:
    if _NEMO not in sys.modules:  # no NeMo Curator object can exist before its package is loaded
        return False
    cls = obj if isinstance(obj, type) else type(obj)
    return any((c.__module__, c.__qualname__) == base for c in cls.__mro__)


def is_nemo_stage(obj: Any) -> bool:
    """Whether ``obj`` (an instance or a class) is a ``nemo_curator`` ``ProcessingStage``."""
    return _derives_from(obj, _NEMO_STAGE)


def is_nemo_task(obj: Any) -> bool:
    """Whether ``obj`` (an instance or a class) is a ``nemo_curator`` ``Task``."""
    return _derives_from(obj, _NEMO_TASK)


def stage_base_class(stage: Any) -> type[Any]:
    """The ``ProcessingStage`` base of the framework ``stage`` comes from (for planning)."""
    if is_nemo_stage(stage):
        from nemo_curator.stages.base import ProcessingStage as NemoProcessingStage

        return NemoProcessingStage
    from curator_dask.stages.base import ProcessingStage

    return ProcessingStage


def seed_tasks(stages: Sequence[Any]) -> list[Any]:
    """The initial tasks when none are given: the first stage's framework's ``EmptyTask()``."""
    if stages and is_nemo_stage(stages[0]):
        from nemo_curator.tasks import EmptyTask as NemoEmptyTask

        return [NemoEmptyTask()]
    from curator_dask.tasks import EmptyTask

    return [EmptyTask()]


def _ray_only_reason(stage: Any) -> str | None:
    try:
        spec = dict(stage.ray_stage_spec())
    except Exception:  # a spec that cannot be computed asks for nothing we can see
        spec = {}
    keys = {getattr(k, "value", k) for k, v in spec.items() if v}
    flags = [f for f in _RAY_ONLY_FLAGS if f in keys]
    if flags:
        return f"its ray_stage_spec() asks for a Ray actor-only mode ({', '.join(flags)}=True)"
    if getattr(stage, "_generate_ids", False) or getattr(stage, "_assign_ids", False):
        return "it generates or assigns ids through NeMo Curator's Ray id-generator actor"
    return None


def _equivalent(stage: Any) -> str:
    module = type(stage).__module__
    for prefix, equivalent in _EQUIVALENTS:
        if module.startswith(prefix):
            return equivalent
    if getattr(stage, "_generate_ids", False) or getattr(stage, "_assign_ids", False):
        return (
            "the same reader without _generate_ids/_assign_ids followed by curator_dask.stages.text.modules.AddId, "
            f"or the deduplication workflows in {_DEDUP}.fuzzy / {_DEDUP}.exact, which assign their own ids"
        )
    return _GENERIC_EQUIVALENT


def check_ray_only_stages(stages: Sequence[Any]) -> None:
    """Refuse, before any work, NeMo Curator stages that only work on Ray.

    Raises:
        PipelineError: naming the first such stage, why it needs Ray, and what to use instead.
    """
    for stage in stages:
        if not is_nemo_stage(stage):
            continue
        reason = _ray_only_reason(stage)
        if reason is None:
            continue
        msg = (
            f"Stage {stage.name!r} ({type(stage).__module__}.{type(stage).__qualname__}) cannot run on "
            f"DaskExecutor: {reason}, which only NeMo Curator's Ray executors provide. "
            f"Use the curator_dask equivalent instead: {_equivalent(stage)}; or run this pipeline with "
            "NeMo Curator's RayActorPoolExecutor."
        )
        raise PipelineError(msg)


def nemo_adapter(stage: Any) -> Any:
    """A worker's adapter for a NeMo Curator stage: NeMo Curator's own ``BaseStageAdapter``."""
    return _nemo_adapter_class()(stage)


def _to_nemo(value: Any, nemo_cls: type) -> Any:
    """Our ``NodeInfo``/``WorkerMetadata`` as NeMo Curator's dataclass of the same fields."""
    if value is None or isinstance(value, nemo_cls):
        return value
    return nemo_cls(**vars(value))


@functools.cache
def _nemo_adapter_class() -> type:
    """Build (once per process) the adapter class; NeMo Curator is imported only here."""
    from nemo_curator.backends import base as nemo_base
    from nemo_curator.tasks.sentinels import FailedTask as NemoFailedTask

    from curator_dask.backends.base import batch_task_ids

    class NemoStageAdapter(nemo_base.BaseStageAdapter):  # type: ignore[misc,name-defined]
        """NeMo Curator's ``BaseStageAdapter``, plus what a Dask worker needs.

        ``process_batch`` is NeMo Curator's, run under a lock (a stage copy serves one batch at a
        time, like one Ray actor); outputs without a single parent get curator_dask's derived ``r``
        ids instead of random ones, so a recomputed batch writes the same files. ``FailedTask``s it
        drops are also kept in ``failed_tasks`` for the executor's failure report; node and worker
        information is passed as NeMo Curator's own ``NodeInfo`` / ``WorkerMetadata``.
        """

        def __init__(self, stage: Any) -> None:
            super().__init__(stage)
            self.lock = threading.Lock()
            self.failed_tasks: list[FailedSlot] = []

        def process_batch(self, tasks: list[Any]) -> list[Any]:
            with self.lock:
                return super().process_batch(tasks)

        def _post_process_task_ids(self, input_tasks: list[Any], output_tasks: list[Any]) -> list[Any]:
            out = super()._post_process_task_ids(input_tasks, output_tasks)
            if len(input_tasks) != 1 and len(out) != len(input_tasks):
                # NeMo Curator draws these ids at random; a recomputed batch must get the same ones
                batch_task_ids([t.task_id for t in input_tasks], out)
            if not getattr(self.stage, "is_source_stage", False):  # there NeMo Curator raises instead
                self.failed_tasks.extend(FailedSlot(t.task_id) for t in out if isinstance(t, NemoFailedTask))
            return out

        def setup_on_node(self, node_info: Any = None, worker_metadata: Any = None) -> None:
            super().setup_on_node(
                _to_nemo(node_info, nemo_base.NodeInfo), _to_nemo(worker_metadata, nemo_base.WorkerMetadata)
            )

        def setup(self, worker_metadata: Any = None) -> None:
            super().setup(_to_nemo(worker_metadata, nemo_base.WorkerMetadata))

    return NemoStageAdapter
