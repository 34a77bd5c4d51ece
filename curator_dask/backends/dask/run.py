"""One execution of a pipeline on a cluster: the driver loop behind ``DaskExecutor.execute``.

The driver keeps a queue of batches waiting to start a chain (see ``adapter.run_chain``) and a
bounded set of chains in flight. A chain that runs to the end of the pipeline returns its tasks
to the driver. A chain that may stop early (at a fan-out or a resource boundary) is followed by a
tiny summary task on the same worker, which tells the driver where it stopped without moving its
tasks; the driver then splits it into new chains, one per batch of the next stage. Later stages
are preferred, so results stream out while early stages still run and memory stays bounded by the
number of chains in flight. Collection stages wait for all their input (see ``frames``).
"""

from __future__ import annotations

import contextlib
import heapq
import inspect
import itertools
import logging
import sys
import time
import uuid
from typing import Any

from distributed import Client, Future, as_completed, wait
from distributed.scheduler import KilledWorker

from curator_dask.backends.dask import attempts
from curator_dask.backends.dask.adapter import ChainOutcome, ChainSpec, run_chain
from curator_dask.backends.dask.frames import run_collection_stage
from curator_dask.backends.dask.node import forget_run
from curator_dask.backends.dask.plan import (
    batch_size_of,
    check_resources,
    dask_resources,
    fusion_stops,
    may_split,
    split_points,
)
from curator_dask.backends.dask.plugins import StageSetupPlugin, exclude_failed_workers
from curator_dask.backends.dask.resume import ResumeLedger
from curator_dask.errors import StageError, StageSetupError
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.collection import CollectionStage
from curator_dask.tasks import EmptyTask, Task

__all__ = ["Run"]

logger = logging.getLogger(__name__)


class Run:
    """One execution: plugins, the queue of batches, chains in flight, totals and the ledger."""

    def __init__(
        self, client: Client, stages: list[ProcessingStage], settings: dict[str, Any], initial: list[Task]
    ) -> None:
        self.client = client
        self.stages = stages
        self.settings = settings
        self.initial = initial
        self.run_id = uuid.uuid4().hex[:10]
        self.sizes = tuple(batch_size_of(s) for s in stages)
        self.stops = fusion_stops(stages)
        depth = 1 if all(isinstance(t, EmptyTask) or t.task_id == "0" for t in initial) else 2
        self.ledger = ResumeLedger.for_run(stages, settings["resume"], depth)
        self.plugins = [StageSetupPlugin(s, self.run_id, i) for i, s in enumerate(stages)]
        self.specs = [self._spec(start) for start in range(len(stages))]
        self.registered: list[bool] = [False] * len(stages)
        self.summaries = [StageSummary(str(s.name)) for s in stages]
        self.result = RunResult()
        self._queue: list[tuple[int, int, int, Any, int, int, tuple[str, ...]]] = []
        self._seq = itertools.count()
        self._inflight: dict[Future, tuple[Future, int]] = {}
        self._parked: dict[int, list[tuple[Future, int, int]]] = {}  # input waiting for collection stages
        self._started = time.perf_counter()
        self._last_progress = self._started
        self._last_done = self._started
        self._limit, self._limit_checked = 32, float("-inf")

    def _spec(self, start: int) -> ChainSpec:
        ledger = self.ledger
        return ChainSpec(
            plugin_names=tuple(p.name for p in self.plugins),
            stage_names=tuple(str(s.name) for s in self.stages),
            batch_sizes=self.sizes,
            start=start,
            stop=self.stops[start],
            tolerate_failures=self.settings["failure_policy"] == "continue",
            may_split=may_split(self.stages, self.sizes, start, self.stops[start]),
            source_depth=ledger.depth if ledger else 0,
            skip_sources=frozenset(ledger.done) if ledger and start == 0 else frozenset(),
        )

    # -- set-up and tear-down ---------------------------------------------------------------
    def _workers(self) -> dict[str, dict[str, float]]:
        takes_n = "n_workers" in inspect.signature(self.client.scheduler_info).parameters
        info = self.client.scheduler_info(n_workers=-1) if takes_n else self.client.scheduler_info()
        if not info.get("workers"):
            self.client.wait_for_workers(1, timeout=self.settings["worker_timeout"])
            info = self.client.scheduler_info()
        return {addr: dict(w.get("resources") or {}) for addr, w in info["workers"].items()}

    def _register(self) -> None:
        for i, plugin in enumerate(self.plugins):
            self.registered[i] = True  # before: a setup that raises still leaves the plugin registered
            try:
                self.client.register_plugin(plugin, name=plugin.name)
            except StageSetupError:
                if self.settings["on_setup_error"] != "exclude_worker":
                    raise
                excluded = exclude_failed_workers(self.client, plugin)
                self.result.excluded_workers.update(excluded)
                logger.warning("excluded workers whose setup of %r failed: %s", plugin.stage_name, sorted(excluded))

    def _teardown_before(self, index: int) -> None:
        for i in range(min(index, len(self.plugins))):
            if self.registered[i]:
                self.registered[i] = False
                self.client.unregister_worker_plugin(self.plugins[i].name)

    # -- the loop -----------------------------------------------------------------------------
    def execute(self) -> RunResult:
        check_resources(self.stages, self._workers())
        if self.ledger is not None and self.ledger.done:
            logger.warning(
                "Resuming: %d input partitions were completely written to %s by an earlier run and are "
                "skipped. Use the writer's mode='overwrite' or the executor config resume=False to redo them.",
                len(self.ledger.done),
                self.ledger.root,
            )
        attempt_log = attempts.install(self.client, self.run_id)
        try:
            self._register()
            self._enqueue(0, self.initial, len(self.initial), ())
            # as_current: as_completed and any compute() take the default client; with another
            # Client in the process (a notebook's own), that would be the wrong one
            with self.client.as_current():
                self._loop()
            self._teardown_before(len(self.stages))
        except BaseException:
            self._cancel()
            raise
        finally:
            self._teardown_quietly()
            self.result.retries = attempts.read_and_remove(self.client, attempt_log)
            with contextlib.suppress(Exception):  # workers may be gone; the files are small
                self.client.run(forget_run, self.run_id)
        self.result.stages = self.summaries
        self.result.wall_time = time.perf_counter() - self._started
        if self.result.failures:
            logger.warning("%d batches failed and were dropped; see RunResult.failures", len(self.result.failures))
        return self.result

    def _enqueue(self, start: int, source: Any, num_tasks: int, sources: tuple[str, ...]) -> None:
        for lo, hi in split_points(num_tasks, self.sizes[start]):
            piece = (source[lo:hi], 0, hi - lo) if isinstance(source, list) else (source, lo, hi)
            heapq.heappush(self._queue, (-start, next(self._seq), start, *piece, sources[lo:hi]))

    def _in_flight_limit(self) -> int:
        """``max_in_flight``, or 16 chains per worker thread, recounted at most once a second
        (asking the scheduler on every completion was a round trip on the driver's hot path)."""
        if self.settings["max_in_flight"]:
            return int(self.settings["max_in_flight"])
        now = time.perf_counter()
        if now - self._limit_checked > 1.0:
            self._limit = max(32, 16 * sum(self.client.nthreads().values()))
            self._limit_checked = now
        return self._limit

    def _submit(self, ac: as_completed) -> None:
        limit = self._in_flight_limit()
        n = len(self.stages)
        while self._queue and len(self._inflight) < limit:
            _, _, start, source, lo, hi, _ = heapq.heappop(self._queue)
            spec = self.specs[start]
            token = uuid.uuid4().hex[:12]
            chain = self.client.submit(
                run_chain,
                spec,
                source,
                lo,
                hi,
                key=f"{self.stages[start].name}/{self.run_id}/{token}",  # attempts.py reads this shape
                resources=dask_resources(self.stages[start]),
                priority=start,
                retries=self.settings["max_retries"],
                pure=False,
            )
            watched = chain
            if spec.may_split or spec.stop < n:
                # the outcome may be an intermediate one; a summary spares the driver its tasks
                watched = self.client.submit(
                    ChainOutcome.summary, chain, n, key=f"summary-{token}", priority=start + 1, pure=False
                )
            self._inflight[watched] = (chain, start)
            ac.add(watched)

    def _loop(self) -> None:
        ac = as_completed(with_results=True, raise_errors=True)  # raises the first stage error
        self._submit(ac)
        while self._inflight or self._parked:
            if not self._inflight:  # everything before the first waiting collection stage is done
                self._run_collection(min(self._parked))
            else:
                self._wait_for_progress()
                try:
                    done = ac.next_batch(block=True)
                except KilledWorker as e:
                    raise self._explain_lost(e) from e
                for watched, outcome in done:
                    self._finish(*self._inflight.pop(watched), outcome)
            # Stages are torn down only at the end: when a worker dies, Dask recomputes the lost
            # results of earlier chains, and those need their stages set up again.
            self._submit(ac)
            self._progress()

    def _wait_for_progress(self) -> None:
        """Block until a chain finishes; fail clearly if every worker stays paused too long."""
        stall = self.settings["stall_timeout"]
        while True:
            try:
                wait(list(self._inflight), timeout=min(stall, 5.0), return_when="FIRST_COMPLETED")
                self._last_done = time.perf_counter()
                return
            except TimeoutError:
                pass
            stalled = time.perf_counter() - self._last_done
            workers = self.client.scheduler_info().get("workers", {})
            paused = [a for a, w in workers.items() if w.get("status") == "paused"]
            if workers and len(paused) == len(workers) and stalled > stall:
                limits = sorted({w.get("memory_limit") for w in workers.values()})
                msg = (
                    f"No chain finished for {stalled:.0f} s and every worker is paused for memory "
                    f"(memory_limit {limits} bytes). The stages hold more data than the workers may keep: "
                    f"raise the workers' memory_limit (ClusterSpec(memory_limit=...), 'dask worker "
                    f"--memory-limit'), read smaller partitions (files_per_partition / blocksize), or lower "
                    f"max_in_flight. stall_timeout={stall} s in the executor config sets this limit."
                )
                raise StageError(msg)

    def _explain_lost(self, error: KilledWorker) -> StageError:
        key = str(error.task)
        start = next((s for chain, s in self._inflight.values() if chain.key == key), None)
        names = [str(s.name) for s in self.stages[start : self.stops[start]]] if start is not None else []
        stage = names[-1] if len(names) == 1 else key.split("/", 1)[0]
        what = f"Stage {stage!r}" if len(names) <= 1 else "Stages " + ", ".join(map(repr, names)) + " (fused)"
        worker = getattr(error.last_worker, "address", str(error.last_worker))
        limit = getattr(error.last_worker, "memory_limit", None)
        limit_text = f"{limit / 2**30:.2f} GiB" if limit else "no limit"
        msg = (
            f"{what} (chain {key}) killed {error.allowed_failures + 1} workers in a row, the last "
            f"{worker} (memory_limit {limit_text}). Workers die like this when a batch needs more memory "
            f"than their limit: raise it (ClusterSpec(memory_limit=...), 'dask worker --memory-limit'), "
            f"or give the stage smaller batches (files_per_partition / blocksize of the reader). The "
            f"worker logs say why each one died; distributed.scheduler.allowed-failures sets the count."
        )
        return StageError(msg, stage_name=stage, worker=worker)

    def _finish(self, chain: Future, start: int, outcome: ChainOutcome) -> None:
        self._record(outcome)
        nxt = outcome.next_stage
        if nxt >= len(self.stages):
            self.result.extend(outcome.tasks)
        elif outcome.num_tasks and isinstance(self.stages[nxt], CollectionStage):
            self._parked.setdefault(nxt, []).append((chain, 0, outcome.num_tasks))
        elif outcome.num_tasks:
            self._enqueue(nxt, chain, outcome.num_tasks, tuple(outcome.sources_out))
        if self.ledger is not None:
            self.ledger.failed(t for f in outcome.failures for t in f.task_ids)
            produced = outcome.sources_out if nxt < len(self.stages) else []
            self.ledger.settle(outcome.sources_in, produced, outcome.sources_created)
            self.result.skipped_sources.extend(outcome.sources_skipped)

    def _run_collection(self, index: int) -> None:
        pieces = self._parked.pop(index)
        outcomes, perf = run_collection_stage(self.client, self.stages[index], pieces, index)
        self.summaries[index].merge(
            StageSummary(
                str(self.stages[index].name),
                batches=1,
                tasks_in=sum(hi - lo for _, lo, hi in pieces),
                items_in=perf.num_items_processed,
                tasks_out=len(outcomes),
                seconds=perf.process_time,
            )
        )
        for outcome in outcomes:
            if index + 1 >= len(self.stages):
                self.result.extend(outcome.result().tasks)
            else:
                self._enqueue(index + 1, outcome, 1, ())

    def _record(self, outcome: ChainOutcome) -> None:
        for index, count in outcome.counts.items():
            self.summaries[index].merge(count)
        self.result.failures.extend(outcome.failures)

    def _progress(self) -> None:
        now = time.perf_counter()
        if not self.settings["progress"] or now - self._last_progress < self.settings["progress_interval"]:
            return
        self._last_progress = now
        elapsed = now - self._started
        lines = [f"[curator_dask] {elapsed:7.1f}s"]
        for index, s in enumerate(self.summaries):
            queued = sum(1 for q in self._queue if q[2] == index)
            lines.append(
                f"  {s.name:<32} {s.tasks_in:>8} tasks in ({queued} queued) "
                f"{s.items_in:>10} items  {s.items_in / elapsed:10.1f} items/s"
            )
        print("\n".join(lines), file=sys.stderr, flush=True)

    def _cancel(self) -> None:
        futures = [f for watched, (chain, _) in self._inflight.items() for f in (watched, chain)]
        futures += [q[3] for q in self._queue if isinstance(q[3], Future)]
        self._inflight.clear()
        self._queue.clear()
        if futures:
            try:
                self.client.cancel(futures, force=True)
            except Exception:  # the cluster may already be gone; nothing left to cancel then
                logger.debug("cancelling outstanding chains failed", exc_info=True)

    def _teardown_quietly(self) -> None:
        try:
            self._teardown_before(len(self.stages))
        except Exception:  # a teardown error must not hide the run's own error
            logger.warning("stage teardown failed", exc_info=True)
