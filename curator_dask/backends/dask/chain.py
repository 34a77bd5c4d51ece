"""What runs on a worker: a *chain*, one Dask task taking one batch through fused stages.

A chain takes one batch for stage ``start`` and runs it and the stages after it on the same
worker, each through that worker's set-up copy of the stage (its adapter, found in the run's
worker plugin, see ``setup``), for as long as the tasks still fit one batch of the next stage and the
next stage wants the same resources. Where a stage fans out into more than one batch, the chain
stops and the driver splits its outputs into new chains, so fan-out becomes parallelism.
"""

from __future__ import annotations

import pickle
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

from dask.sizeof import sizeof
from distributed import get_worker

from curator_dask.backends.dask.resume import ChainResume, ResumeReport, ResumeSpec
from curator_dask.errors import StageError, StageSetupError
from curator_dask.metrics.run_result import StageSummary
from curator_dask.tasks import FileGroupTask, Task

__all__ = ["ChainOutcome", "ChainSpec", "FailureRecord", "TaskSlice", "outcome_rows", "run_chain", "source_files_of"]


@dataclass(frozen=True, slots=True)
class TaskSlice:
    """Tasks ``lo:hi`` of ``source``: a chain's result (a future on the cluster) or a driver's list."""

    source: Any
    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class ChainSpec:
    """What a chain needs to know; one per stage a chain may start at.

    Attributes:
        plugin_name: name of the run's worker plugin, which holds every stage's set-up copy.
        stage_names: the stages' names, for messages.
        batch_sizes: the effective batch size of every stage.
        start: index of the first stage this chain runs.
        stop: index of the first stage it may not run (resource change or pipeline end).
        may_split: whether the chain stops where tasks outgrow one batch of the next stage.
        tolerate_failures: record failing batches and go on instead of raising.
        resume: the run's resume spec, when the run is resumable.
    """

    plugin_name: str
    stage_names: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    start: int
    stop: int
    may_split: bool = True
    tolerate_failures: bool = False
    resume: ResumeSpec | None = None


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
    documents: dict[int, tuple[int, int]] = field(default_factory=dict)  # rows in/out per stage, see _rows
    failures: list[FailureRecord] = field(default_factory=list)
    resume: ResumeReport | None = None

    def summary(self, num_stages: int) -> ChainOutcome:
        """Itself when the pipeline is finished (the driver wants the tasks), else without tasks."""
        if self.next_stage >= num_stages:
            return self
        return replace(self, tasks=[], resume=self.resume.without_lineage() if self.resume else None)


def source_files_of(tasks: list[Task]) -> tuple[str, ...]:
    """The input files tasks came from: a file group's paths, else ``_metadata["source_files"]``."""
    files: list[str] = []
    for task in tasks:
        if isinstance(task, FileGroupTask):
            files.extend(task.data)
        files.extend(task._metadata.get("source_files", []) or [])
    return tuple(dict.fromkeys(str(f) for f in files))


def _rows(tasks: list[Task]) -> int | None:
    """Documents in ``tasks``: the rows of its document batches; None when it holds none.

    By class name, so NeMo Curator's own ``DocumentBatch`` (interop stages) counts too.
    """
    batches = [t for t in tasks if type(t).__name__ == "DocumentBatch"]
    return sum(t.num_items for t in batches) if batches else None


def outcome_rows(outcome: ChainOutcome) -> int:
    """Documents in a chain outcome's tasks (0 when they hold none): what a collection stage let through."""
    return _rows(outcome.tasks) or 0


def _count_documents(outcome: ChainOutcome, index: int, batch: list[Task], out: list[Task]) -> None:
    rows_in, rows_out = _rows(batch), _rows(out)
    if rows_in is None and rows_out is None:
        return
    if rows_out is None and out:  # documents became something else (a writer's files): they were kept
        rows_out = rows_in
    before_in, before_out = outcome.documents.get(index, (0, 0))
    outcome.documents[index] = (before_in + (rows_in or 0), before_out + (rows_out or 0))


def _adapter(spec: ChainSpec, index: int, worker: Any) -> Any:
    plugin = worker.plugins.get(spec.plugin_name)
    if plugin is None:
        msg = (
            f"Stage {spec.stage_names[index]!r} is not set up on worker {worker.address}: the run's plugin "
            f"{spec.plugin_name!r} is missing there (was the run cancelled?)."
        )
        raise StageSetupError(msg)
    return plugin.adapter_for(worker, index)


def _inputs(source: ChainOutcome | list[Task], lo: int, hi: int) -> list[Task]:
    # The stored input may be read again (retries, a lost worker's recomputation), so a stage
    # that changes its input in place must get a private copy, never the stored objects.
    tasks = source.tasks[lo:hi] if isinstance(source, ChainOutcome) else source[lo:hi]
    return pickle.loads(pickle.dumps(tasks, protocol=5))


def _fail(spec: ChainSpec, index: int, batch: list[Task], worker: str, exc: BaseException) -> FailureRecord:
    return FailureRecord(
        stage_name=spec.stage_names[index],
        task_ids=tuple(t.task_id for t in batch),
        worker=worker,
        error=f"{type(exc).__name__}: {exc}",
        traceback=traceback.format_exc(),
        source_files=source_files_of(batch),
    )


def _raise(record: FailureRecord, exc: BaseException) -> None:
    files = f" (input files: {', '.join(record.source_files[:5])})" if record.source_files else ""
    hint = ""
    if isinstance(exc, ModuleNotFoundError):
        hint = (
            f" The worker cannot import {exc.name!r}: install it in the workers' environment, or send your own "
            f"module with client.upload_file('<path to {exc.name}.py>')."
        )
    msg = (
        f"Stage {record.stage_name!r} failed on task {', '.join(record.task_ids) or '<none>'} on worker "
        f"{record.worker}{files}: {record.error}.{hint}\n\nOriginal traceback (on the worker):\n{record.traceback}"
    )
    cls = type(exc) if isinstance(exc, StageError) else StageError  # keep a StageOutputError's type
    raise cls(
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
    resume = None
    if spec.resume is not None:
        upstream = source.resume.lineage if isinstance(source, ChainOutcome) and source.resume else None
        resume = ChainResume(spec.resume, upstream)
        resume.consumed(tasks)
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
            failed_before = len(adapter.failed_tasks)
            sources = resume.sources_of_batch(batch) if resume is not None else ()
            out: list[Task] = []
            try:
                out = adapter.process_batch(batch)
            except Exception as exc:
                record = _fail(spec, index, batch, worker.address, exc)
                if not spec.tolerate_failures:
                    _raise(record, exc)
                outcome.failures.append(record)
                failed_before = -1  # the whole batch failed
            produced.extend(out)
            _count_documents(outcome, index, batch, out)
            if resume is not None:  # a batch that failed, or emitted a FailedTask, leaves its partitions unfinished
                resume.batch(sources, out, failed=len(adapter.failed_tasks) != failed_before)
            count.seconds += time.perf_counter() - began
            count.batches += 1
            count.tasks_in += len(batch)
            count.items_in += sum(t.num_items for t in batch)
        outcome.failures.extend(
            FailureRecord(spec.stage_names[index], (f.task_id,), worker.address, f.error or "FailedTask", "")
            for f in adapter.failed_tasks
        )
        adapter.failed_tasks.clear()
        if resume is not None and adapter.stage.is_source_stage:
            produced = resume.after_source_stage(produced)
        count.tasks_out += len(produced)
        tasks = produced
        outcome.next_stage = index + 1
    outcome.tasks = tasks
    outcome.num_tasks = len(tasks)
    if resume is not None:
        outcome.resume = resume.finish(tasks, final=outcome.next_stage >= len(spec.stage_names))
    return outcome


@sizeof.register(Task)
def _sizeof_task(task: Task) -> int:
    # Dask spills and balances memory by these numbers; without them a chain result holding
    # gigabytes of documents would look like a few hundred bytes.
    return 256 + int(sizeof(task.data))


@sizeof.register(ChainOutcome)
def _sizeof_outcome(outcome: ChainOutcome) -> int:
    return 256 + sum(_sizeof_task(t) for t in outcome.tasks)
