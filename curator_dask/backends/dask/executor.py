"""``DaskExecutor``: runs a built pipeline's stages on a ``distributed`` cluster.

The driver keeps a queue of batches waiting to start a chain (see ``adapter.run_chain``) and a
bounded set of chains in flight. A chain that runs to the end of the pipeline returns its tasks
to the driver. A chain that may stop early (at a fan-out or a resource boundary) is followed by a
tiny summary task on the same worker, which tells the driver where it stopped without moving its
tasks; the driver then splits it into new chains, one per batch of the next stage. Later
stages are preferred, so results stream out while early stages still run and memory stays
bounded by the number of chains in flight.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import sys
import time
import uuid
from collections import Counter
from typing import Any

import cloudpickle
from distributed import Client, Future, as_completed

from curator_dask.backends.base import BaseExecutor
from curator_dask.backends.dask.adapter import ChainOutcome, ChainSpec, run_chain
from curator_dask.backends.dask.frames import run_collection_stage
from curator_dask.backends.dask.plan import (
    batch_size_of,
    check_resources,
    dask_resources,
    fusion_stops,
    may_split,
    split_points,
)
from curator_dask.backends.dask.plugins import StageSetupPlugin
from curator_dask.core.cluster import ClusterHandle, ClusterSpec, connect
from curator_dask.errors import PipelineError
from curator_dask.metrics.run_result import RunResult, StageSummary
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.collection import CollectionStage
from curator_dask.tasks import EmptyTask, Task

__all__ = ["DaskExecutor"]

logger = logging.getLogger(__name__)

DEFAULT_CONFIG: dict[str, Any] = {
    "failure_policy": "raise",  # or "continue": record failing batches in the result and go on
    "max_retries": 0,  # Dask retries of a chain whose worker died or that raised
    "max_in_flight": None,  # chains running or queued on the cluster; None: 16 per worker thread
    "progress": True,  # print per-stage progress to stderr on runs longer than progress_interval
    "progress_interval": 10.0,
    "worker_timeout": 60.0,  # seconds to wait for a first worker on a cluster without any
}


class DaskExecutor(BaseExecutor):
    """Runs pipelines on Dask.

    Args:
        config: settings (see ``DEFAULT_CONFIG``): ``failure_policy`` (``"raise"`` or
            ``"continue"``), ``max_retries``, ``max_in_flight``, ``progress``,
            ``progress_interval``, ``worker_timeout``.
        ignore_head_node: accepted for NeMo Curator compatibility; a Dask scheduler runs no
            work, so there is no head node to leave out.
        client: an existing ``distributed.Client``; never closed by the executor.
        address: a scheduler address to connect to (the cluster is never shut down).
        scheduler_file: a scheduler file to connect through (HPC).
        cluster: a ``ClusterSpec`` for anything else; by default a local cluster sized to the
            machine (GPU workers when dask-cuda and GPUs are present), started for each
            ``execute`` and shut down after it.
    """

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        ignore_head_node: bool = False,
        *,
        client: Client | None = None,
        address: str | None = None,
        scheduler_file: str | None = None,
        cluster: ClusterSpec | None = None,
    ) -> None:
        super().__init__(config, ignore_head_node)
        unknown = sorted(set(self.config) - set(DEFAULT_CONFIG))
        if unknown:
            msg = f"Unknown DaskExecutor config keys {unknown}; known keys: {sorted(DEFAULT_CONFIG)}"
            raise ValueError(msg)
        if self.config.get("failure_policy", "raise") not in ("raise", "continue"):
            msg = f"failure_policy must be 'raise' or 'continue', got {self.config['failure_policy']!r}"
            raise ValueError(msg)
        if sum(x is not None for x in (client, address, scheduler_file)) > 1:
            raise ValueError("Give DaskExecutor at most one of client=, address= and scheduler_file=")
        self.settings = {**DEFAULT_CONFIG, **self.config}
        self._client = client
        if address:
            cluster = ClusterSpec(kind="address", address=address)
        elif scheduler_file:
            cluster = ClusterSpec(kind="scheduler_file", scheduler_file=scheduler_file)
        self._cluster_spec = cluster
        self.last_result: RunResult | None = None

    def _connect(self) -> ClusterHandle:
        if self._client is not None:
            return ClusterHandle(self._client, owned=False)
        return connect(self._cluster_spec)

    def execute(self, stages: list[ProcessingStage], initial_tasks: list[Task] | None = None) -> RunResult:
        """Run ``stages`` over ``initial_tasks`` (``[EmptyTask()]`` when None); see the class doc."""
        _check_stages(stages)
        handle = self._connect()
        try:
            run = _Run(handle.client, stages, self.settings)
            result = run.execute(list(initial_tasks) if initial_tasks else [EmptyTask()])
        finally:
            handle.close()
        self.last_result = result
        return result


def _check_stages(stages: list[ProcessingStage]) -> None:
    """Fail before any work for an empty pipeline, a non-stage or a stage that cannot be pickled."""
    if not stages:
        raise PipelineError("DaskExecutor.execute got no stages; build a Pipeline with at least one stage.")
    for stage in stages:
        if not isinstance(stage, ProcessingStage):
            raise PipelineError(f"DaskExecutor.execute got {type(stage).__name__}, not a ProcessingStage: {stage!r}")
        try:
            cloudpickle.dumps(stage)
        except Exception as e:
            msg = (
                f"Stage {stage.name!r} cannot be pickled to send it to the workers: {type(e).__name__}: {e}. "
                "Create unpicklable things (models, clients, open files) in setup(), not in __init__."
            )
            raise PipelineError(msg) from e
    for i, stage in enumerate(stages):
        batch_size_of(stage)  # raises for a bad batch size, naming the stage
        if getattr(stage, "is_source_stage", False) and i > 0:
            logger.debug("stage %s is a source stage in position %d", stage.name, i)


class _Run:
    """One execution: plugins, the queue of batches, chains in flight and the totals."""

    def __init__(self, client: Client, stages: list[ProcessingStage], settings: dict[str, Any]) -> None:
        self.client = client
        self.stages = stages
        self.settings = settings
        self.run_id = uuid.uuid4().hex[:10]
        self.sizes = tuple(batch_size_of(s) for s in stages)
        self.stops = fusion_stops(stages)
        self.plugins = [StageSetupPlugin(s, self.run_id, i) for i, s in enumerate(stages)]
        self.specs = [
            ChainSpec(
                plugin_names=tuple(p.name for p in self.plugins),
                stage_names=tuple(str(s.name) for s in stages),
                batch_sizes=self.sizes,
                start=start,
                stop=self.stops[start],
                tolerate_failures=settings["failure_policy"] == "continue",
                may_split=may_split(stages, self.sizes, start, self.stops[start]),
            )
            for start in range(len(stages))
        ]
        self.registered: list[bool] = [False] * len(stages)
        self.summaries = [StageSummary(str(s.name)) for s in stages]
        self.result = RunResult()
        self._queue: list[tuple[int, int, int, Any, int, int]] = []
        self._seq = itertools.count()
        self._active: Counter[int] = Counter()
        self._inflight: dict[Future, tuple[Future, int]] = {}
        self._parked: dict[int, list[tuple[Future, int, int]]] = {}  # input waiting for collection stages
        self._started = time.perf_counter()
        self._last_progress = self._started

    # -- set-up and tear-down ---------------------------------------------------------------
    def _workers(self) -> dict[str, dict[str, float]]:
        info = (
            self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) else self.client.scheduler_info()
        )
        if not info.get("workers"):
            self.client.wait_for_workers(1, timeout=self.settings["worker_timeout"])
            info = self.client.scheduler_info()
        return {addr: dict(w.get("resources") or {}) for addr, w in info["workers"].items()}

    def _register(self) -> None:
        for i, plugin in enumerate(self.plugins):
            self.registered[i] = True  # before: a setup that raises still leaves the plugin registered
            self.client.register_plugin(plugin, name=plugin.name)

    def _teardown_before(self, index: int) -> None:
        for i in range(min(index, len(self.plugins))):
            if self.registered[i]:
                self.registered[i] = False
                self.client.unregister_worker_plugin(self.plugins[i].name)

    # -- the loop -----------------------------------------------------------------------------
    def execute(self, initial: list[Task]) -> RunResult:
        check_resources(self.stages, self._workers())
        try:
            self._register()
            self._enqueue(0, initial, len(initial))
            self._loop()
            self._teardown_before(len(self.stages))
        except BaseException:
            self._cancel()
            raise
        finally:
            self._teardown_quietly()
        self.result.stages = self.summaries
        self.result.wall_time = time.perf_counter() - self._started
        if self.result.failures:
            logger.warning("%d batches failed and were dropped; see RunResult.failures", len(self.result.failures))
        return self.result

    def _enqueue(self, start: int, source: Any, num_tasks: int) -> None:
        for lo, hi in split_points(num_tasks, self.sizes[start]):
            piece = (source[lo:hi], 0, hi - lo) if isinstance(source, list) else (source, lo, hi)
            heapq.heappush(self._queue, (-start, next(self._seq), start, *piece))
            self._active[start] += 1

    def _submit(self, ac: as_completed) -> None:
        limit = self.settings["max_in_flight"] or max(32, 16 * sum(self.client.nthreads().values()))
        n = len(self.stages)
        while self._queue and len(self._inflight) < limit:
            _, _, start, source, lo, hi = heapq.heappop(self._queue)
            spec = self.specs[start]
            token = uuid.uuid4().hex[:12]
            chain = self.client.submit(
                run_chain,
                spec,
                source,
                lo,
                hi,
                key=f"{self.stages[start].name}-{token}",
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
                for watched, outcome in ac.next_batch(block=True):
                    self._finish(*self._inflight.pop(watched), outcome)
            self._teardown_before(min((s for s, k in self._active.items() if k > 0), default=len(self.stages)))
            self._submit(ac)
            self._progress()

    def _finish(self, chain: Future, start: int, outcome: ChainOutcome) -> None:
        self._active[start] -= 1
        self._record(outcome)
        nxt = outcome.next_stage
        if nxt >= len(self.stages):
            self.result.extend(outcome.tasks)
        elif outcome.num_tasks and isinstance(self.stages[nxt], CollectionStage):
            self._parked.setdefault(nxt, []).append((chain, 0, outcome.num_tasks))
            self._active[nxt] += 1
        elif outcome.num_tasks:
            self._enqueue(nxt, chain, outcome.num_tasks)

    def _run_collection(self, index: int) -> None:
        pieces = self._parked.pop(index)
        self._active[index] -= len(pieces)
        outcomes, perf = run_collection_stage(self.client, self.stages[index], pieces, index)
        total = self.summaries[index]
        total.batches += 1
        total.tasks_in += sum(hi - lo for _, lo, hi in pieces)
        total.items_in += perf.num_items_processed
        total.tasks_out += len(outcomes)
        total.seconds += perf.process_time
        for outcome in outcomes:
            if index + 1 >= len(self.stages):
                self.result.extend(outcome.result().tasks)
            else:
                self._enqueue(index + 1, outcome, 1)

    def _record(self, outcome: ChainOutcome) -> None:
        for index, count in outcome.counts.items():
            total = self.summaries[index]
            total.batches += count.batches
            total.tasks_in += count.tasks_in
            total.items_in += count.items_in
            total.tasks_out += count.tasks_out
            total.seconds += count.seconds
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


def _takes_n_workers(client: Client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters
