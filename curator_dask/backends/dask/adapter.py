"""The Dask stage adapter and the worker-side function that runs a chain of fused stages.

A *chain* is one Dask task: it takes one batch for stage ``start`` and runs it and the stages
after it on the same worker, each through that worker's set-up copy of the stage (found in the
worker's plugins), for as long as the tasks still fit one batch of the next stage and the next
stage wants the same resources. Where a stage fans out into more than one batch, the chain stops
and the driver splits the outputs into new chains, so fan-out becomes parallelism.
"""

from __future__ import annotations

import pickle
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

from dask.sizeof import sizeof
from distributed import get_worker

from curator_dask.backends.base import BaseStageAdapter
from curator_dask.backends.dask.resume import source_id
from curator_dask.errors import StageError, StageSetupError
from curator_dask.metrics.run_result import StageSummary
from curator_dask.tasks import FileGroupTask, Task

__all__ = ["ChainOutcome", "ChainSpec", "DaskStageAdapter", "FailureRecord", "run_chain"]


class DaskStageAdapter(BaseStageAdapter):
    """A worker's set-up copy of one stage.

    Batches of one stage copy run one at a time (a stage copy is like one NeMo Curator actor),
    so stages need not be thread-safe on multi-threaded workers.
    """

    def __init__(self, stage: Any) -> None:
        super().__init__(stage)
        self.lock = threading.Lock()

    def process_batch(self, tasks: list[Task]) -> list[Task]:
        with self.lock:
            return super().process_batch(tasks)


@dataclass(frozen=True)
class ChainSpec:
    """What a chain needs to know; the same object for every chain of a run segment.

    Attributes:
        plugin_names: worker-plugin name of every stage of the pipeline, by stage index.
        stage_names: the stages' names, for messages.
        batch_sizes: the effective batch size of every stage.
        start: index of the first stage this chain runs.
        stop: index of the first stage it may not run (resource change or pipeline end).
        tolerate_failures: record failing batches and go on instead of raising.
        may_split: whether the chain stops where tasks outgrow one batch of the next stage; when
            the stages cannot fan out, it runs every batch itself and saves the driver a report.
        source_depth: id depth of source partitions, for resumable runs (0: not tracked).
        skip_sources: source partitions a previous run finished; dropped after the source stage.
    """

    plugin_names: tuple[str, ...]
    stage_names: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    start: int
    stop: int
    tolerate_failures: bool = False
    may_split: bool = True
    source_depth: int = 0
    skip_sources: frozenset[str] = frozenset()


@dataclass
class FailureRecord:
    """A batch that failed and was dropped under ``failure_policy="continue"``."""

    stage_name: str
    task_ids: tuple[str, ...]
    worker: str
    error: str
    traceback: str
    source_files: tuple[str, ...] = ()


@dataclass
class ChainOutcome:
    """The result of a chain: where it stopped, the tasks for that stage, and its counts."""

    next_stage: int
    tasks: list[Task]
    worker: str
    num_tasks: int = 0
    counts: dict[int, StageSummary] = field(default_factory=dict)  # what each stage did here
    failures: list[FailureRecord] = field(default_factory=list)
    sources_in: list[str] = field(default_factory=list)
    sources_out: list[str] = field(default_factory=list)
    sources_created: list[str] = field(default_factory=list)
    sources_skipped: list[str] = field(default_factory=list)

    def summary(self, num_stages: int) -> ChainOutcome:
        """Itself when the pipeline is finished (the driver wants the tasks), else without tasks."""
        return self if self.next_stage >= num_stages else replace(self, tasks=[])


def source_files_of(tasks: list[Task]) -> tuple[str, ...]:
    files: list[str] = []
    for task in tasks:
        if isinstance(task, FileGroupTask):
            files.extend(task.data)
        files.extend(task._metadata.get("source_files", []) or [])
    return tuple(dict.fromkeys(str(f) for f in files))


def _adapter(spec: ChainSpec, index: int, worker: Any) -> Any:  # a DaskStageAdapter or NeMo Curator's
    plugin = worker.plugins.get(spec.plugin_names[index])
    if plugin is None:
        msg = (
            f"Stage {spec.stage_names[index]!r} is not set up on worker {worker.address}: its plugin "
            f"{spec.plugin_names[index]!r} is missing there (was the run cancelled?)."
        )
        raise StageSetupError(msg)
    return plugin.adapter_for(worker)


def _inputs(source: ChainOutcome | list[Task], lo: int, hi: int) -> list[Task]:
    # The stored input may be read again (retries, a lost worker's recomputation), so a stage
    # that changes its input in place must get a private copy, never the stored objects.
    tasks = source.tasks[lo:hi] if isinstance(source, ChainOutcome) else source[lo:hi]
    return pickle.loads(pickle.dumps(tasks, protocol=5))


def _sources(tasks: list[Task], depth: int) -> list[str]:
    if not depth:
        return []
    return [s for s in (source_id(t.task_id, depth) for t in tasks) if s is not None]


def _fail(spec: ChainSpec, index: int, batch: list[Task], worker: str, exc: BaseException) -> FailureRecord:
    return FailureRecord(
        stage_name=spec.stage_names[index],
        task_ids=tuple(t.task_id for t in batch),
        worker=worker,
        error=f"{type(exc).__name__}: {exc}",
        traceback=traceback.format_exc(),
        source_files=source_files_of(batch),
    )


def _raise(record: FailureRecord) -> None:
    files = f" (input files: {', '.join(record.source_files[:5])})" if record.source_files else ""
    msg = (
        f"Stage {record.stage_name!r} failed on task {', '.join(record.task_ids) or '<none>'} on worker "
        f"{record.worker}{files}: {record.error}\n\nOriginal traceback (on the worker):\n{record.traceback}"
    )
    raise StageError(
        msg,
        stage_name=record.stage_name,
        task_ids=record.task_ids,
        worker=record.worker,
        source_files=record.source_files,
    )


def run_chain(spec: ChainSpec, source: ChainOutcome | list[Task], lo: int, hi: int) -> ChainOutcome:
    """Run stages ``spec.start`` onwards on ``source[lo:hi]`` (one batch of the first stage)."""
    worker = get_worker()
    tasks = _inputs(source, lo, hi)
    outcome = ChainOutcome(next_stage=spec.start, tasks=tasks, worker=worker.address)
    outcome.sources_in = _sources(tasks, spec.source_depth)
    for index in range(spec.start, spec.stop):
        size = spec.batch_sizes[index]
        if spec.may_split and index > spec.start and len(tasks) > size:
            break  # more than one batch: let the driver spread them over the cluster
        adapter = _adapter(spec, index, worker)
        count = outcome.counts.setdefault(index, StageSummary(spec.stage_names[index]))
        produced: list[Task] = []
        for b in range(0, len(tasks), size):
            batch = tasks[b : b + size]
            began = time.perf_counter()
            try:
                produced.extend(adapter.process_batch(batch))
            except Exception as exc:
                record = _fail(spec, index, batch, worker.address, exc)
                if not spec.tolerate_failures:
                    _raise(record)
                outcome.failures.append(record)
            count.seconds += time.perf_counter() - began
            count.batches += 1
            count.tasks_in += len(batch)
            count.items_in += sum(t.num_items for t in batch)
        outcome.failures.extend(
            FailureRecord(spec.stage_names[index], (f.task_id,), worker.address, f.error or "FailedTask", "")
            for f in adapter.failed_tasks
        )
        adapter.failed_tasks.clear()
        if spec.source_depth and adapter.stage.is_source_stage:
            produced = _skip_finished(spec, produced, outcome)
        count.tasks_out += len(produced)
        tasks = produced
        outcome.next_stage = index + 1
    outcome.tasks = tasks
    outcome.num_tasks = len(tasks)
    outcome.sources_out = _sources(tasks, spec.source_depth)
    return outcome


def _skip_finished(spec: ChainSpec, produced: list[Task], outcome: ChainOutcome) -> list[Task]:
    """Drop source partitions a previous run wrote completely; note the ones created here."""
    kept = []
    for task in produced:
        source = source_id(task.task_id, spec.source_depth)
        if source is not None and source in spec.skip_sources:
            outcome.sources_skipped.append(source)
            continue
        if source is not None:
            outcome.sources_created.append(source)
        kept.append(task)
    return kept


@sizeof.register(Task)
def _sizeof_task(task: Task) -> int:
    # Dask spills and balances memory by these numbers; without them a chain result holding
    # gigabytes of documents would look like a few hundred bytes.
    return 256 + int(sizeof(task.data))


@sizeof.register(ChainOutcome)
def _sizeof_outcome(outcome: ChainOutcome) -> int:
    return 256 + sum(_sizeof_task(t) for t in outcome.tasks)
