"""Real ``dask scheduler`` / ``dask worker`` processes on loopback addresses, for tests.

Workers bound to different loopback addresses (127.0.0.2, 127.0.0.3, ...) are different hosts,
hence different nodes, to the executor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from distributed import Client

ROOT = Path(__file__).resolve().parents[3]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _dask(*args: str, log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    out = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), *args],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=_env(),
        cwd=cwd,
    )


class LoopbackCluster:
    """A scheduler on 127.0.0.1 and workers on chosen loopback hosts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.scheduler = _dask(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(self.scheduler_file),
            log=folder / "scheduler.log",
        )
        self.procs.append(self.scheduler)
        deadline = time.monotonic() + 60
        while not self.scheduler_file.exists() or not self.scheduler_file.read_text().strip():
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                raise RuntimeError((folder / "scheduler.log").read_text())
            time.sleep(0.05)
        self.address = json.loads(self.scheduler_file.read_text())["address"]

    def add_worker(
        self, host: str, name: str, resources: str | None = None, cwd: Path | None = None
    ) -> subprocess.Popen[bytes]:
        args = [
            "worker",
            self.address,
            "--host",
            host,
            "--name",
            name,
            "--nthreads",
            "1",
            "--no-dashboard",
            "--memory-limit",
            "2GiB",
        ]
        if resources:
            args += ["--resources", resources]
        proc = _dask(*args, log=self.folder / f"{name}.log", cwd=cwd)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def loopback_cluster(
    folder: Path, workers: dict[str, str], cwd: Path | None = None
) -> Iterator[tuple[LoopbackCluster, Client]]:
    """Start a scheduler and ``{name: host}`` workers (in ``cwd``); yield it with a connected client."""
    cluster = LoopbackCluster(folder)
    try:
        for name, host in workers.items():
            cluster.add_worker(host, name, cwd=cwd)
        with Client(cluster.address, timeout=30) as client:
            client.wait_for_workers(len(workers), timeout=60)
            yield cluster, client
    finally:
        cluster.close()
    assert all(p.poll() is not None for p in cluster.procs)


def kill_driver_after_markers(module: str, args: list[str], markers: Path, count: int) -> set[str]:
    """Run ``python -m module *args`` (a pipeline driver), SIGKILL it once ``count`` resume markers
    exist in ``markers``; returns the markers' names at that moment."""
    import signal

    driver = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=_env())
    deadline = time.monotonic() + 120
    while not (markers.exists() and len(list(markers.iterdir())) >= count):
        assert driver.poll() is None, "the driver finished before it could be interrupted"
        assert time.monotonic() < deadline, "no partition finished in time"
        time.sleep(0.02)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    return {p.name for p in markers.iterdir()}
