"""``ColdProfile``: where the wall time of one ``DaskExecutor()`` run goes, for ``cold_start.py``.

Phase marks come from wrapping, while the profile is entered, the executor's ``connect`` (and the
handle's ``close``), the local cluster start, the scheduler's start and ``Client.register_plugin``
/ ``unregister_worker_plugin`` / ``submit`` in this process; a thread samples the CPU times of
this process's descendants every 50 ms; worker start times come from ``/proc`` and the scheduler's
``add-worker`` events, read just before the cluster closes, with (optionally) Dask's own sampling
profile of the workers' threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _started_since_boot(pid: int) -> float:
    """Seconds from boot to the start of process ``pid`` (``/proc/<pid>/stat``, field 22)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


def busiest(tree: dict[str, Any], top: int) -> list[tuple[float, str]]:
    """The ``top`` functions of a ``Client.profile()`` tree by share of samples (cumulative)."""
    total = max(1, tree["count"])
    seen: Counter[str] = Counter()

    def walk(node: dict[str, Any], stack: frozenset[str]) -> None:
        d = node["description"]
        where = d["filename"].split("site-packages/")[-1].split("curator_dask/", 1)[-1]
        key = f"{d['name']} ({where}:{d['line_number']})"
        if key not in stack:  # recursion counts once
            seen[key] += node["count"]
        for child in node["children"].values():
            walk(child, stack | {key})

    for child in tree["children"].values():
        walk(child, frozenset())
    return [(100 * count / total, key) for key, count in seen.most_common(top)]


class TreeCpu:
    """CPU seconds of this process and of its descendants while entered (sampled every 50 ms)."""

    def __init__(self) -> None:
        self.children: dict[int, tuple[str, float]] = {}  # pid: (what, CPU s), last sample
        self.own = 0.0
        self._stop = threading.Event()

    @staticmethod
    def _cpu(proc: Any) -> float:
        times = proc.cpu_times()
        return float(times.user + times.system)

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.05):
            for child in self._me.children(recursive=True):
                try:
                    line = " ".join(child.cmdline())
                    what = "resource_tracker" if "resource_tracker" in line else "worker"
                    if "forkserver" in line and child.ppid() == self._me.pid:  # its forks share its command line
                        what = "forkserver"
                    self.children[child.pid] = (what, self._cpu(child) - self._base.get(child.pid, 0.0))
                except psutil.Error:  # exited between the calls
                    continue

    def __enter__(self) -> TreeCpu:
        import psutil

        self._me = psutil.Process()
        # processes that outlive a run (the forkserver): only their CPU during this run counts
        self._base = {c.pid: self._cpu(c) for c in self._me.children(recursive=True)}
        self._own = self._cpu(self._me)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.own = self._cpu(self._me) - self._own

    @property
    def total(self) -> float:
        """This process plus every descendant seen."""
        return self.own + sum(sec for _, sec in self.children.values())


class ColdProfile:
    """Phase marks of one ``DaskExecutor()`` run and CPU seconds of every process it starts."""

    def __init__(self, worker_profile: bool = False) -> None:
        self.worker_profile = worker_profile
        self.busiest: list[tuple[float, str]] = []
        self.marks: dict[str, float] = {}
        self.spans: dict[str, float] = defaultdict(float)
        self.workers: list[tuple[float, float]] = []  # (process created, registered), s after connect
        self.cpu = TreeCpu()
        self.threads: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())

    def _patch(self, owner: Any, name: str, wrap: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        setattr(owner, name, wrap(original))
        self._undo.append(lambda: setattr(owner, name, original))

    def _timed(self, span: str, first: str) -> Callable[[Any], Any]:
        def wrap(fn: Any) -> Any:
            def call(*args: Any, **kwargs: Any) -> Any:
                self.mark(first)
                began = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.spans[span] += time.perf_counter() - began

            return call

        return wrap

    def _connect(self, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.mark("connect")
            handle = fn(*args, **kwargs)
            self.mark("connected")
            close = handle.close

            def closing() -> None:
                self._probe(handle.client)
                self.mark("close")
                close()
                self.mark("closed")

            handle.close = closing
            return handle

        return call

    def _marked_after(self, name: str) -> Callable[[Any], Any]:
        def wrap(fn: Any) -> Any:
            def call(*args: Any, **kwargs: Any) -> Any:
                out = fn(*args, **kwargs)
                self.mark(name)
                return out

            return call

        return wrap

    def _scheduler_start(self, fn: Any) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            out = await fn(*args, **kwargs)
            self.mark("scheduler up")
            return out

        return call

    def _probe(self, client: Any) -> None:
        """Per-worker start times and the driver's thread CPU, just before the cluster closes."""
        import psutil

        if self.worker_profile:
            self.busiest = busiest(client.profile(), 25)
        zero = self.marks["connect"]
        joined = {m["worker"]: t for t, m in client.get_events("all") if m.get("action") == "add-worker"}
        for address, pid in client.run(os.getpid).items():
            created = _started_since_boot(pid) - self._boot  # psutil's create_time can be a second off
            self.workers.append((created - zero, joined.get(address, zero + self._epoch) - self._epoch - zero))
        names = {t.native_id: t.name for t in threading.enumerate()}
        for t in psutil.Process().threads():
            what = {"IO loop": "event loop (scheduler, nannies, client)"}.get(names.get(t.id, ""), "other threads")
            if t.id == threading.main_thread().native_id:
                what = "main thread (driver)"
            self.threads[what] = self.threads.get(what, 0.0) + t.user_time + t.system_time - self._base.get(t.id, 0.0)

    def __enter__(self) -> ColdProfile:
        import distributed
        import psutil

        from curator_dask.backends.dask import executor
        from curator_dask.core import cluster

        self._epoch = time.time() - time.perf_counter()
        self._boot = time.clock_gettime(time.CLOCK_BOOTTIME) - time.perf_counter()
        self._base = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
        self._patch(executor, "connect", self._connect)
        self._patch(cluster, "_start_local", self._marked_after("cluster up"))
        self._patch(distributed.Scheduler, "start_unsafe", self._scheduler_start)
        self._patch(distributed.Client, "register_plugin", self._timed("plugin registration", "register"))
        self._patch(distributed.Client, "unregister_worker_plugin", self._timed("plugin removal", "teardown"))
        self._patch(distributed.Client, "submit", self._timed("submit calls", "first submit"))
        self.cpu.__enter__()
        self.mark("start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.mark("end")
        self.cpu.__exit__()
        for undo in reversed(self._undo):
            undo()

    def phases(self) -> Iterator[tuple[str, float]]:
        m, s = self.marks, self.spans
        yield "driver preparation (checks, plan)", m["connect"] - m["start"]
        yield "cluster start: scheduler up", m["scheduler up"] - m["connect"]
        yield "cluster start: workers up and registered", m["cluster up"] - m["scheduler up"]
        yield "post-start checks (wait, versions)", m["connected"] - m["cluster up"]
        yield "set-up before plugins (outputs, ledger)", m["register"] - m["connected"]
        yield "stage plugin registration", s["plugin registration"]
        yield "run: first chain submitted to last result", m["teardown"] - m["first submit"]
        yield "teardown (plugins removed, run files)", m["close"] - m["teardown"]
        yield "cluster close", m["closed"] - m["close"]
        yield "after close", m["end"] - m["closed"]

    def report(self, wall: float) -> list[str]:
        lines = [f"{name:<44} {sec:6.2f} s  {100 * sec / wall:4.0f}%" for name, sec in self.phases()]
        lines.append(f"{'wall':<44} {wall:6.2f} s")
        for i, (created, joined) in enumerate(sorted(self.workers)):
            lines.append(f"worker {i}: process created {created:5.2f} s, registered {joined:5.2f} s after connect")
        lines.append("CPU seconds:")
        lines += [f"  {what:<42} {sec:6.2f}" for what, sec in sorted(self.threads.items())]
        by_kind: dict[str, list[float]] = defaultdict(list)
        for what, sec in self.cpu.children.values():
            if sec >= 0.01:  # not the short-lived helpers some libraries run
                by_kind[what].append(sec)
        lines += [f"  {what} processes ({len(v)}): {' + '.join(f'{x:.2f}' for x in v)}" for what, v in by_kind.items()]
        lines.append(f"  {'whole process tree':<42} {self.cpu.total:6.2f}")
        if self.busiest:
            lines.append("workers' busiest functions (share of Dask's profiler samples, cumulative):")
            lines += [f"  {share:5.1f}%  {where}" for share, where in self.busiest]
        return lines


def _started_since_boot(pid: int) -> float:
    """Seconds from boot to the start of process ``pid`` (``/proc/<pid>/stat``, field 22)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")
