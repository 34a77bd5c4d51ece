"""The executor interface and the per-batch duties every backend shares (NeMo Curator's seed page)."""

from __future__ import annotations

import functools
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from curator_dask.errors import StageOutputError
from curator_dask.metrics import StageTimer
from curator_dask.tasks import FailedTask, NoneTask, SentinelTask, Task

if TYPE_CHECKING:
    from curator_dask.stages.base import ProcessingStage

__all__ = ["BaseExecutor", "BaseStageAdapter", "NodeInfo", "WorkerMetadata", "batch_task_ids", "derive_task_ids"]


@dataclass
class NodeInfo:
    """Generic node information for ``setup_on_node`` calls across backends."""

    node_id: str = ""


@dataclass
class WorkerMetadata:
    """Generic worker metadata; ``allocation`` holds backend-specific details."""

    worker_id: str = ""
    allocation: Any = None


class BaseExecutor(ABC):
    """Executor for a pipeline: runs built stages and returns the last stage's output tasks."""

    def __init__(self, config: dict[str, Any] | None = None, ignore_head_node: bool = False) -> None:
        self.config = config or {}
        self.ignore_head_node = ignore_head_node

    @abstractmethod
    def execute(self, stages: list[ProcessingStage], initial_tasks: list[Task] | None = None) -> list[Task]:
        """Run ``stages`` over ``initial_tasks`` (``[EmptyTask()]`` when None)."""


def derive_task_ids(inputs: list[Task], outputs: list[Task], *, is_source: bool) -> None:
    """Give every output its id from its parent, in place.

    - one input: fan-out, each output is ``parent_<seg>``;
    - as many outputs as inputs: positional, ``parent_i_<seg>``;
    - any other shape: ``"r"`` + 32 hex characters (see ``batch_task_ids``).

    On a source stage ``seg`` is the output's deterministic id when it has one, else its index
    (fan-out) or 0 (positional); elsewhere it is the index or 0.
    """
    if len(inputs) == 1:
        parent = inputs[0].task_id
        for i, task in enumerate(outputs):
            task._set_task_id(parent, (task.get_deterministic_id() or i) if is_source else i)
    elif len(outputs) == len(inputs):
        # Read every parent id before writing any: a stage may return its input objects reordered.
        parent_ids = [t.task_id for t in inputs]
        for parent_id, task in zip(parent_ids, outputs, strict=True):
            task._set_task_id(parent_id, (task.get_deterministic_id() or 0) if is_source else 0)
    else:
        batch_task_ids([t.task_id for t in inputs], outputs)


def batch_task_ids(parent_ids: list[str], outputs: list[Task]) -> None:
    """Ids for outputs that have no single parent: ``"r"`` + 32 hex characters.

    NeMo Curator draws them with ``uuid4``; here they are the sha256 of the batch's parent ids and
    the output's position, so a batch computed again (after a lost worker, or by a resumed run)
    gets the same ids, and the writers the same file names, instead of writing its documents twice.
    """
    parents = "|".join(parent_ids)
    for i, task in enumerate(outputs):
        task.task_id = "r" + hashlib.sha256(f"{parents}#{i}".encode()).hexdigest()[:32]


def _checked_output(stage: ProcessingStage, raw: Any) -> list[Any]:
    """``raw`` if it is a list of tasks and ``None``s; else a ``StageOutputError`` saying what it was."""
    overridden = type(stage).process_batch is not _stage_base().process_batch
    method = "process_batch()" if overridden else "process()"
    contract = "a list of Tasks (None for a filtered slot)" if overridden else "a Task, a list of Tasks or None"
    if not isinstance(raw, list):
        bad: Any = raw
    else:
        bad = next((r for r in raw if r is not None and not isinstance(r, Task)), None)
        if bad is None:
            return raw
    module = type(bad).__module__.split(".")[0]
    what = "None" if bad is None else f"a {'' if module == 'builtins' else module + '.'}{type(bad).__qualname__}"
    if isinstance(bad, Task):
        what += " instead of a list"
    msg = (
        f"Stage {stage.name!r} returned {what} from {method}; {method} must return {contract}. "
        f"Wrap a DataFrame as DocumentBatch(dataset_name=task.dataset_name, data=frame) and return that."
    )
    raise StageOutputError(msg, stage_name=str(stage.name))


@functools.cache
def _stage_base() -> type[Any]:
    from curator_dask.stages.base import ProcessingStage  # stages import this module: import late

    return ProcessingStage


class BaseStageAdapter:
    """Wraps a stage with the per-batch duties: timing, ids, sentinels and performance records.

    Attributes:
        failed_tasks: ``FailedTask``s the stage emitted (recorded, never passed on).
    """

    def __init__(self, stage: ProcessingStage) -> None:
        self.stage = stage
        self.failed_tasks: list[FailedTask] = []
        self._timer: StageTimer | None = None

    def process_batch(self, tasks: list[Task]) -> list[Task]:
        """Run the stage on one batch and return the tasks for the next stage."""
        if self._timer is None:
            self._timer = StageTimer(str(self.stage.name))
        try:
            with self._timer.measure(sum(t.num_items for t in tasks)) as measured:
                raw = self.stage.process_batch(tasks)
            checked = _checked_output(self.stage, raw)
        except BaseException:
            self.stage._consume_custom_metrics()  # a failed batch's metrics must not reach the next one
            raise
        results: list[Task] = [NoneTask() if r is None else r for r in checked]
        derive_task_ids(tasks, results, is_source=self.stage.is_source_stage)

        failed = [r for r in results if isinstance(r, FailedTask)]
        if failed and self.stage.is_source_stage:
            msg = f"Source stage {self.stage.name!r} emitted a FailedTask, which a source stage may not do."
            raise ValueError(msg)
        self.failed_tasks.extend(failed)

        results = [r for r in results if not isinstance(r, SentinelTask)]
        stats = measured.stats
        assert stats is not None  # set when the with-block exits
        stats.custom_metrics.update(self.stage._consume_custom_metrics())
        for task in results:
            task.add_stage_perf(stats)
        return results

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        self.stage.setup_on_node(node_info, worker_metadata)

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        self.stage.setup(worker_metadata)

    def teardown(self) -> None:
        self.stage.teardown()
