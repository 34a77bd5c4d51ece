"""What the driver tells the user while a run goes wrong: stalls and lost workers.

The driver calls these at two points: ``StallWatch.wait`` while it waits for a chain (fails a
run in which every worker stays paused for memory) and ``explain_lost`` when Dask gives up on a
chain whose workers kept dying. The progress display is ``progress.Progress``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from distributed import wait
from distributed.scheduler import KilledWorker

from curator_dask.backends.dask.attempts import stage_of_key
from curator_dask.errors import StageError

__all__ = ["StallWatch", "explain_lost"]


class StallWatch:
    """Waits for the next chain to finish; fails clearly if every worker stays paused too long.

    Args:
        client: the run's client.
        stall_timeout: seconds without a finished chain, while every worker is paused, that end the run.
    """

    def __init__(self, client: Any, stall_timeout: float) -> None:
        self.client = client
        self.stall_timeout = stall_timeout
        self.last_done = time.perf_counter()

    def wait(self, futures: list[Any]) -> None:
        """Block until one of ``futures`` is done.

        Raises:
            StageError: when no chain finished for ``stall_timeout`` seconds and every worker is
                paused for memory, naming the memory limits and the settings that help.
        """
        while True:
            try:
                wait(futures, timeout=min(self.stall_timeout, 5.0), return_when="FIRST_COMPLETED")
                self.last_done = time.perf_counter()
                return
            except TimeoutError:
                pass
            stalled = time.perf_counter() - self.last_done
            workers = self.client.scheduler_info().get("workers", {})
            paused = [a for a, w in workers.items() if w.get("status") == "paused"]
            if workers and len(paused) == len(workers) and stalled > self.stall_timeout:
                limits = sorted({w.get("memory_limit") for w in workers.values()})
                msg = (
                    f"No chain finished for {stalled:.0f} s and every worker is paused for memory "
                    f"(memory_limit {limits} bytes). The stages hold more data than the workers may keep: "
                    f"raise the workers' memory_limit (ClusterSpec(memory_limit=...), 'dask worker "
                    f"--memory-limit'), read smaller partitions (files_per_partition / blocksize), or lower "
                    f"max_in_flight. stall_timeout={self.stall_timeout} s in the executor config sets this limit."
                )
                raise StageError(msg)


def explain_lost(error: KilledWorker, fused: Sequence[str]) -> StageError:
    """A ``KilledWorker`` as a message naming the stages, the last worker and its memory limit.

    Args:
        error: what Dask raised.
        fused: names of the stages of the chain that killed its workers (empty if unknown).
    """
    key = str(error.task)
    stage = fused[0] if fused else stage_of_key(key)
    what = f"Stage {stage!r}" if len(fused) <= 1 else "Stages " + ", ".join(map(repr, fused)) + " (fused)"
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
