"""One execution of a pipeline on a cluster: the driver loop behind ``DaskExecutor.execute``.

The driver keeps a queue of batches waiting to start a chain (``QueuedChain``; see ``chain``) and
a bounded set of chains in flight. A chain that runs to the end of the pipeline returns its tasks
to the driver. A chain that may stop early (at a fan-out or a resource boundary) is followed by a
tiny summary task on the same worker, which tells the driver where it stopped without moving its
tasks; the driver then splits it into new chains, one per batch of the next stage. Later stages
are preferred, so results stream out while early stages still run and memory stays bounded by the
number of chains in flight. Collection stages wait for all their input (see ``collection``).

On a warm cluster a small run is a few dependent round trips, so the driver makes as few as it
can: one worker plugin sets every stage up (``setup.RunSetupPlugin``: one broadcast, and one to
tear down), independent round trips run at once, the scheduler is asked nothing a run does not
need, the client sends without its usual 10 ms batching pause (``prompt_sends``), and the chains
of a small split are spread over the workers instead of all running where their input lives.
"""

from __future__ import annotations

import contextlib
import heapq
import inspect
import itertools
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

from distributed import Client, Future, as_completed
from distributed.scheduler import KilledWorker

from curator_dask.backends.dask import attempts
from curator_dask.backends.dask.adapter import AdapterFactory
from curator_dask.backends.dask.chain import ChainOutcome, ChainSpec, TaskSlice, outcome_rows, run_chain
from curator_dask.backends.dask.collection import run_collection_stage
from curator_dask.backends.dask.config import DaskExecutorConfig
from curator_dask.backends.dask.diagnostics import StallWatch, explain_lost
from curator_dask.backends.dask.plan import ChainPlan, StageProfile, check_resources, split_points
from curator_dask.backends.dask.progress import Progress
from curator_dask.backends.dask.resume import ResumeLedger, ResumeSpec
from curator_dask.backends.dask.setup import RunSetupPlugin, StageSetup, exclude_failed_workers
from curator_dask.backends.dask.shipping import workers_seen
from curator_dask.errors import StageSetupError
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.tasks import Task

__all__ = ["Driver", "QueuedChain"]

logger = logging.getLogger(__name__)


# How long the client may hold a message to the scheduler to batch it with later ones while a run
# goes on (distributed's default is 10 ms; its scheduler answers clients every 2 ms). Each step of a
# run waits on the one before, so every held message was a pause of up to 10 ms on a warm cluster.
SEND_INTERVAL_S = 0.002


@contextlib.contextmanager
def prompt_sends(client: Client) -> Iterator[None]:
    """Within the block, ``client`` sends to the scheduler after at most ``SEND_INTERVAL_S``."""
    comm = getattr(client, "scheduler_comm", None)
    before = getattr(comm, "interval", None)
    if not isinstance(before, int | float) or before <= SEND_INTERVAL_S:
        yield  # another distributed, or already prompt: leave it as it is
        return
    comm.interval = SEND_INTERVAL_S  # type: ignore[union-attr]
    try:
        yield
    finally:
        comm.interval = before  # type: ignore[union-attr]


class QueuedChain(NamedTuple):
    """A batch waiting to start a chain. Ordered so the heap pops later stages first, then FIFO
    (``seq`` is unique, so ``batch`` is never compared; a tuple keeps heap pushes in C)."""

    rank: int  # -start
    seq: int
    start: int
    batch: TaskSlice
    worker: str | None = None  # where to run it, if the driver spreads a small split (see _spread)


@dataclass(slots=True)
class InFlight:
    """A submitted chain: its future (the one later chains read), the stage it started at, its tasks."""

    chain: Future
    start: int
    tasks: int


class Driver:
    """One execution: plugins, the queue of batches, chains in flight, totals and the ledger.

    Args:
        client: the run's client.
        stages: the pipeline's execution stages (the driver's copies).
        profiles: what the planner resolved about each stage.
        plans: the chain plan of each start stage.
        factories: the adapter factory of each stage.
        config: the executor's settings.
        initial: the tasks the run starts from.
        ledger: the resume ledger, when the run is resumable.
    """

    def __init__(
        self,
        client: Client,
        stages: Sequence[Any],
        profiles: Sequence[StageProfile],
        plans: Sequence[ChainPlan],
        factories: Sequence[AdapterFactory],
        config: DaskExecutorConfig,
        initial: list[Task],
        ledger: ResumeLedger | None,
    ) -> None:
        self.client = client
        self.stages = list(stages)
        self.profiles = list(profiles)
        self.plans = list(plans)
        self.config = config
        self.initial = initial
        self.ledger = ledger
        self.run_id = uuid.uuid4().hex[:10]
        setups = [StageSetup(s, self.run_id, i, factories[i], config.setup_timeout) for i, s in enumerate(stages)]
        self.plugin = RunSetupPlugin(setups, self.run_id)
        self.registered = False
        self.summaries = [StageSummary(p.name) for p in profiles]
        self.result = RunResult()
        self._specs: list[ChainSpec] = []
        self._queue: list[QueuedChain] = []
        self._seq = itertools.count()
        self._inflight: dict[Future, InFlight] = {}  # keyed by the future the driver watches
        self._parked: dict[int, list[TaskSlice]] = {}  # input waiting for collection stages
        # one label per start stage: the key prefix the dashboard groups by, and the display's line
        self.labels = [attempts.chain_label([p.name for p in self.profiles[plan.start : plan.stop]]) for plan in plans]
        self._progress = Progress(config.progress, config.progress_interval, self.profiles, self.labels)
        self._limit, self._limit_checked = 32, float("-inf")
        self._known_workers: list[str] = []  # the workers the plugin set up at the start

    def _spec(self, plan: ChainPlan, resume: ResumeSpec | None) -> ChainSpec:
        return ChainSpec(
            plugin_name=self.plugin.name,
            stage_names=tuple(p.name for p in self.profiles),
            batch_sizes=tuple(p.batch_size for p in self.profiles),
            start=plan.start,
            stop=plan.stop,
            may_split=plan.may_split,
            tolerate_failures=self.config.tolerate_failures,
            resume=resume,
        )

    # -- set-up and tear-down ---------------------------------------------------------------
    def _workers(self) -> dict[str, dict[str, float]]:
        takes_n = "n_workers" in inspect.signature(self.client.scheduler_info).parameters
        info = self.client.scheduler_info(n_workers=-1) if takes_n else self.client.scheduler_info()
        if not info.get("workers"):
            self.client.wait_for_workers(1, timeout=self.config.worker_timeout)
            info = self.client.scheduler_info()
        return {addr: dict(w.get("resources") or {}) for addr, w in info["workers"].items()}

    def _check_resources(self) -> None:
        """Fail before any work when no worker offers what a stage needs (asks the scheduler only then)."""
        if any(p.resources for p in self.profiles):
            check_resources(self.profiles, self._workers())

    def _register(self) -> None:
        """Set every stage up on every worker: one plugin, one round trip (a broadcast) for the run."""
        self.registered = True  # before: a set-up that raises still leaves the plugin registered
        try:
            responses = self.client.register_plugin(self.plugin, name=self.plugin.name)
        except StageSetupError:
            if self.config.on_setup_error != "exclude_worker":
                raise
            excluded = exclude_failed_workers(self.client, self.plugin)
            self.result.excluded_workers.update(excluded)
            logger.warning("excluded workers whose stage setup failed: %s", excluded)
            return
        self._known_workers = sorted(responses)
        workers_seen(self.client, responses)
        if not responses:  # no worker yet: the plugin sets the first ones up as they join
            self.client.wait_for_workers(1, timeout=self.config.worker_timeout)

    def _teardown(self) -> None:
        """Tear every set-up stage down on every worker (and forget the node elections): one round trip."""
        if self.registered:
            self.registered = False
            self.client.unregister_worker_plugin(self.plugin.name)

    # -- the run ------------------------------------------------------------------------------
    def execute(self) -> RunResult:
        """Run every stage over the initial tasks; returns the last stage's tasks with the run's record."""
        self._check_resources()
        resume = self.ledger.start() if self.ledger is not None else None
        self._specs = [self._spec(plan, resume) for plan in self.plans]
        first_stages = {self.labels[plan.start]: self.profiles[plan.start].name for plan in self.plans}
        # Round trips that do not depend on each other run at once: the attempt log's install with
        # the set-up broadcast, its read with the teardown broadcast (a side thread takes one).
        with ThreadPoolExecutor(1, thread_name_prefix="curator-driver") as side, prompt_sends(self.client):
            installing = side.submit(attempts.install, self.client, self.run_id, first_stages)
            try:
                self._register()
                installing.result()  # before any chain runs, or its retries go unrecorded
                self._enqueue(0, TaskSlice(self.initial, 0, len(self.initial)))
                # as_current: as_completed and any compute() take the default client; with another
                # Client in the process (a notebook's own), that would be the wrong one
                with self.client.as_current():
                    self._loop()
                tearing = side.submit(self._teardown)
                self.result.retries = attempts.read_and_remove(self.client, installing.result())
                self._finish_resume()
                tearing.result()  # teardown has run on every worker before execute returns
            except BaseException:
                self._progress.close(completed=False)
                self._cancel()
                self._teardown_quietly()
                self.result.retries = attempts.read_and_remove(self.client, installing.result())
                raise
        self._progress.close()
        self.result.stages = self.summaries
        self.result.wall_time = time.perf_counter() - self._progress.started
        if self.result.failures:
            logger.warning("%d batches failed and were dropped; see RunResult.failures", len(self.result.failures))
        return self.result

    def _enqueue(self, start: int, tasks: TaskSlice, near: str | None = None) -> None:
        points = split_points(tasks.size, self.profiles[start].batch_size)
        places = self._spread(start, len(points), near)
        for (lo, hi), worker in zip(points, places, strict=True):
            if isinstance(tasks.source, list):  # the driver's own tasks travel with the chain
                batch = TaskSlice(tasks.source[tasks.lo + lo : tasks.lo + hi], 0, hi - lo)
            else:
                batch = TaskSlice(tasks.source, tasks.lo + lo, tasks.lo + hi)
            heapq.heappush(self._queue, QueuedChain(-start, next(self._seq), start, batch, worker))

    def _spread(self, start: int, count: int, near: str | None) -> list[str | None]:
        """Where the chains of a split of a result held by worker ``near`` should run.

        Dask runs a task where its input lives, so every chain of a split lands on the worker that
        made the input, and only work stealing (after a while, and for long tasks) moves some away.
        A small split (up to two chains per worker), where waiting for that costs the most, is
        spread here, the first chain staying with its input; a big one is left to the scheduler
        (root-ish queuing, stealing). The hint is loose (``allow_other_workers``: a lost worker
        does not strand its chains), and stages with resource needs are left to the scheduler.
        """
        workers = self._known_workers
        if near not in workers or len(workers) < 2 or count > 2 * len(workers) or self.profiles[start].resources:
            return [None] * count
        first = workers.index(near)
        return [workers[(first + j) % len(workers)] for j in range(count)]

    def _in_flight_limit(self) -> int:
        """``max_in_flight``, or 16 chains per worker thread (at least 32), recounted at most once a
        second and only when more than 32 chains wait (asking the scheduler on every completion was a
        round trip on the driver's hot path, and a tiny run needs no answer at all)."""
        if self.config.max_in_flight:
            return self.config.max_in_flight
        if len(self._queue) + len(self._inflight) <= 32:  # within the floor: no need to ask
            return 32
        now = time.perf_counter()
        if now - self._limit_checked > 1.0:
            self._limit = max(32, 16 * sum(self.client.nthreads().values()))
            self._limit_checked = now
        return self._limit

    def _submit(self, ac: as_completed) -> None:
        limit = self._in_flight_limit()
        n = len(self.stages)
        while self._queue and len(self._inflight) < limit:
            queued = heapq.heappop(self._queue)
            spec = self._specs[queued.start]
            token = uuid.uuid4().hex[:12]
            chain = self.client.submit(
                run_chain,
                spec,
                queued.batch.source,
                queued.batch.lo,
                queued.batch.hi,
                key=attempts.chain_key(self.labels[queued.start], self.run_id, token),
                resources=self.profiles[queued.start].resources,
                priority=queued.start,
                retries=self.config.max_retries,
                pure=False,
                workers=queued.worker,
                allow_other_workers=queued.worker is not None,
            )
            watched = chain
            if spec.may_split or spec.stop < n:
                # the outcome may be an intermediate one; a summary spares the driver its tasks
                watched = self.client.submit(
                    ChainOutcome.summary, chain, n, key=f"summary-{token}", priority=queued.start + 1, pure=False
                )
            self._inflight[watched] = InFlight(chain, queued.start, queued.batch.size)
            ac.add(watched)

    def _loop(self) -> None:
        ac = as_completed(with_results=True, raise_errors=True)  # raises the first stage error
        stall = StallWatch(self.client, self.config.stall_timeout)
        self._submit(ac)
        while self._inflight or self._parked:
            if not self._inflight:  # everything before the first waiting collection stage is done
                self._run_collection(min(self._parked))
            else:
                stall.wait(list(self._inflight))
                try:
                    done = ac.next_batch(block=True)
                except KilledWorker as e:
                    raise self._explain_lost(e) from e
                for watched, outcome in done:
                    self._finish(self._inflight.pop(watched), outcome)
            # Stages are torn down only at the end: when a worker dies, Dask recomputes the lost
            # results of earlier chains, and those need their stages set up again.
            self._submit(ac)
            if self._progress.due():
                self._progress.report(self._pending())

    def _pending(self) -> list[int]:
        """Tasks queued or running, by the stage their chain starts at (for the display's totals)."""
        counts = [0] * len(self.stages)
        for queued in self._queue:
            counts[queued.start] += queued.batch.size
        for flight in self._inflight.values():
            counts[flight.start] += flight.tasks
        for index, pieces in self._parked.items():
            counts[index] += sum(p.size for p in pieces)
        return counts

    def _explain_lost(self, error: KilledWorker) -> Exception:
        key = str(error.task)
        start = next((f.start for f in self._inflight.values() if f.chain.key == key), None)
        fused = [p.name for p in self.profiles[start : self.plans[start].stop]] if start is not None else []
        return explain_lost(error, fused)

    def _finish(self, flight: InFlight, outcome: ChainOutcome) -> None:
        for index, count in outcome.counts.items():
            self.summaries[index].merge(count)
        self._progress.finished(flight.start, outcome.counts, outcome.documents)
        self.result.failures.extend(outcome.failures)
        nxt = outcome.next_stage
        if nxt >= len(self.stages):
            self.result.extend(outcome.tasks)
        elif outcome.num_tasks and self.profiles[nxt].is_collection:
            self._parked.setdefault(nxt, []).append(TaskSlice(flight.chain, 0, outcome.num_tasks))
        elif outcome.num_tasks:
            self._enqueue(nxt, TaskSlice(flight.chain, 0, outcome.num_tasks), near=outcome.worker)
        if self.ledger is not None and outcome.resume is not None:
            self.ledger.settle(outcome.resume)
            self.result.skipped_sources.extend(outcome.resume.skipped)

    def _run_collection(self, index: int) -> None:
        pieces = self._parked.pop(index)
        outcomes, perf = run_collection_stage(self.client, self.stages[index], pieces, index)
        summary = StageSummary(
            self.profiles[index].name,
            batches=1,
            tasks_in=sum(p.size for p in pieces),
            items_in=perf.num_items_processed,
            tasks_out=len(outcomes),
            seconds=perf.process_time,
        )
        self.summaries[index].merge(summary)
        # the documents it let through, counted where they are (for the display's "kept")
        kept = sum(self.client.gather([self.client.submit(outcome_rows, o, pure=False) for o in outcomes]))
        self._progress.finished(index, {index: summary}, {index: (perf.num_items_processed, kept)})
        for outcome in outcomes:
            if index + 1 >= len(self.stages):
                self.result.extend(outcome.result().tasks)
            else:
                self._enqueue(index + 1, TaskSlice(outcome, 0, 1))

    def _finish_resume(self) -> None:
        if self.ledger is None:
            return
        written = [str(p) for task in self.result for p in getattr(task, "data", [])]
        self.result.stale_files = self.ledger.stale_files(self.result.skipped_sources, written)
        if self.result.stale_files:
            shown = ", ".join(self.result.stale_files[:5])
            more = f" and {len(self.result.stale_files) - 5} more" if len(self.result.stale_files) > 5 else ""
            logger.warning(
                "%d files in %s were written by an earlier run that this run did not rewrite (its pipeline or "
                "inputs differ): %s%s. They are not part of this run's output and were left as they are; use the "
                "writer's mode='overwrite' to start from an empty folder.",
                len(self.result.stale_files),
                self.ledger.root,
                shown,
                more,
            )

    def _cancel(self) -> None:
        futures = [f for watched, flight in self._inflight.items() for f in (watched, flight.chain)]
        futures += [q.batch.source for q in self._queue if isinstance(q.batch.source, Future)]
        self._inflight.clear()
        self._queue.clear()
        if futures:
            try:
                self.client.cancel(futures, force=True)
            except Exception:  # the cluster may already be gone; nothing left to cancel then
                logger.debug("cancelling outstanding chains failed", exc_info=True)

    def _teardown_quietly(self) -> None:
        try:
            self._teardown()
        except Exception:  # a teardown error must not hide the run's own error
            logger.warning("stage teardown failed", exc_info=True)
