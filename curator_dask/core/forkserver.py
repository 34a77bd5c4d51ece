"""Local CPU workers forked from a server that has already imported what every worker needs.

Dask starts each worker process with ``spawn``: a fresh interpreter that imports distributed,
pandas, pyarrow and curator_dask's worker modules again (about 2 CPU seconds per worker), and
that finalises the whole interpreter when the cluster closes (0.4 to 0.9 s per close). A local
CPU cluster started by ``connect`` uses Python's ``forkserver`` instead: one server process,
launched once per driver process, imports ``PRELOAD``; every worker is a fork of it, ready in
tens of milliseconds, and leaves with ``os._exit``. Later clusters of the same process (a
notebook, a test session, one ``DaskExecutor()`` per pipeline) reuse the server.

A fork sees the environment the server was launched with, not the driver's current one, so the
server is launched with the nannies' pre-spawn environment applied (``PYTHONHASHSEED``,
``OMP_NUM_THREADS``, ...) and a cluster whose workers would see another environment (the driver's
``os.environ`` or the pre-spawn settings changed since) is started with ``spawn``, as before.
Set the Dask config key ``curator_dask.worker-start`` to ``"spawn"`` to always spawn; a
``distributed.worker.multiprocessing-method`` other than the default ``spawn`` is left alone.
GPU clusters (dask-cuda) are not started through here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from multiprocessing import forkserver
from typing import Any

import dask

__all__ = ["METHOD_KEY", "PRELOAD", "START_KEY", "pre_spawn_environ", "start_config", "worker_start_method"]

logger = logging.getLogger(__name__)

START_KEY = "curator_dask.worker-start"  # "forkserver" (default on Linux) or "spawn"
METHOD_KEY = "distributed.worker.multiprocessing-method"
# What every CPU worker imports before its first task: distributed's own forkserver preload
# (distributed.utils.get_mp_context) and curator_dask's worker side (chains and stage plugins).
PRELOAD: tuple[str, ...] = (
    "distributed",
    "dask",
    "msgpack",
    "cloudpickle",
    "tornado",
    "toolz",
    "numpy",
    "pandas",
    "pyarrow",
    "curator_dask",
    "curator_dask.backends.dask.chain",
    "curator_dask.backends.dask.setup",
)

_lock = threading.Lock()
_launched: dict[str, str] | None = None  # the environment the running server was launched with


def pre_spawn_environ() -> dict[str, str]:
    """The variables a nanny sets before it starts its worker (as ``distributed.nanny`` does).

    ``distributed.nanny.pre-spawn-environ`` (a ``None`` value sets nothing), a variable already
    in the environment winning, and ``PYTHONHASHSEED`` fixed so that every worker hashes alike.
    """
    config = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    env = {k: os.environ.get(k, str(v)) for k, v in config.items() if v is not None}
    if env.get("PYTHONHASHSEED") in (None, "0"):
        env["PYTHONHASHSEED"] = "6640"
    return env


def worker_start_method() -> str:
    """``"forkserver"`` when local CPU workers can be forked from the server, else ``"spawn"``.

    Forkserver only on Linux (macOS frameworks are not fork-safe, Windows has no fork), only when
    neither ``curator_dask.worker-start`` nor the multiprocessing method say otherwise.
    """
    if not sys.platform.startswith("linux") or dask.config.get(METHOD_KEY, default="spawn") != "spawn":
        return dask.config.get(METHOD_KEY, default="spawn")
    wanted = dask.config.get(START_KEY, default="forkserver")
    if wanted not in ("forkserver", "spawn"):
        from curator_dask.errors import ConfigError

        msg = f"Dask config {START_KEY}={wanted!r} is not a worker start method; use 'forkserver' or 'spawn'"
        raise ConfigError(msg)
    return wanted


def _ensure_server(env: dict[str, str]) -> bool:
    """Launch the server with ``env`` unless it runs; whether its forks see exactly ``env``."""
    global _launched
    running = forkserver._forkserver._forkserver_pid is not None  # type: ignore[attr-defined]
    if _launched != env and (running or _launched is not None):
        return False  # launched by someone else, or for another environment
    # distributed sets its own preload list on first use: let it, then set ours
    with dask.config.set({METHOD_KEY: "forkserver"}):
        from distributed.utils import get_mp_context

        get_mp_context()
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        forkserver.ensure_running()  # no-op while it runs; relaunches it (same env) if it died
    finally:
        os.environ.clear()
        os.environ.update(saved)
    _launched = env
    return True


def start_config() -> dict[str, Any]:
    """The Dask config a local CPU cluster is started under: forkserver when it is safe, else spawn.

    Launches the server on first use, so it imports ``PRELOAD`` while the scheduler starts.
    """
    method = worker_start_method()
    if method != "forkserver":
        return {METHOD_KEY: method}
    env = {**os.environ, **pre_spawn_environ()}
    with _lock:
        ok = _ensure_server(env)
    if not ok:
        logger.debug("the worker forkserver has another environment than this cluster's workers: spawning them")
    return {METHOD_KEY: "forkserver" if ok else "spawn"}
