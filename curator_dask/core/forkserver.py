"""Local CPU workers forked from a server that has already imported what every worker needs.

Dask starts each worker process with ``spawn``: a fresh interpreter that imports distributed,
pandas, pyarrow and curator_dask's worker modules again (about 1.5 CPU seconds per worker on a
2-core machine), and that finalises the whole interpreter when the cluster closes (0.3 to 2 s
per close). A local CPU cluster started by ``connect`` uses Python's ``forkserver`` instead (the
default start method of Python 3.14 on Linux): one server process, launched once per driver
process, imports ``PRELOAD`` (about 1 CPU second); every worker is a fork of it, registered with
the scheduler a few tenths of a second later, and leaves with ``os._exit``. Later clusters of the
same process (a notebook, a test session, one ``DaskExecutor()`` per pipeline) reuse the server.

A fork starts with the environment the server was launched with (the nannies' pre-spawn
variables applied: ``PYTHONHASHSEED``, ``OMP_NUM_THREADS``, ...). Variables the driver set or
changed since then reach the workers through their nannies, which set them before the worker
starts; a difference a fork cannot take on (a variable read when a process or a library starts:
``PYTHON*``, ``LD_*``, ``MALLOC_*``, ``*_NUM_THREADS``, the pre-spawn ones, or one removed since)
starts that cluster's workers with ``spawn``, as before.

Set the Dask config key ``curator_dask.worker-start`` to ``"spawn"`` to always spawn
(``DASK_CURATOR_DASK__WORKER_START=spawn``); a ``distributed.worker.multiprocessing-method``
other than the default ``spawn`` is left alone. GPU clusters (dask-cuda) are not started here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing import forkserver
from typing import Any

import dask

__all__ = [
    "METHOD_KEY",
    "PRELOAD",
    "START_KEY",
    "WorkerStart",
    "fork_delta",
    "pre_spawn_environ",
    "worker_start",
    "worker_start_method",
]

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
    # numba with its code generator started, and the modules of the kernels the text and dedup
    # stages use (imported, not compiled): about 0.75 s less per worker's first run, and shared
    # copy-on-write by every fork
    "curator_dask.core.numba_warmup",
    "curator_dask.stages.text.utils._text_kernels",
    "curator_dask.stages.deduplication.fuzzy._minhash_numba",
)

# Set by distributed in the driver once a cluster starts (it only lets workers set their process
# title): not a difference between the server's environment and a later cluster's.
_IGNORED = frozenset({"__DASK_PARENT_PID"})
# Read when an interpreter, glibc's malloc or a BLAS / Arrow library starts: the server has.
_AT_START_PREFIXES = ("PYTHON", "LD_", "MALLOC_", "GLIBC_")
_AT_START_SUFFIXES = ("_NUM_THREADS",)
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

        msg = (
            f"Dask config {START_KEY}={wanted!r} is not a worker start method; use 'forkserver' or 'spawn' "
            "(dask.config.set, a Dask YAML file, or DASK_CURATOR_DASK__WORKER_START=spawn)"
        )
        raise ConfigError(msg)
    return wanted


@dataclass(frozen=True)
class WorkerStart:
    """How a local CPU cluster starts its workers.

    Attributes:
        method: the multiprocessing start method (``"forkserver"`` or ``"spawn"``, or a user's own).
        env: variables each nanny sets in its fork before the worker starts (what the driver's
            environment gained or changed since the server was launched).
    """

    method: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> dict[str, Any]:
        """The Dask config to start the cluster under."""
        return {METHOD_KEY: self.method}


def _at_start(key: str, pre_spawn: dict[str, str]) -> bool:
    return key in pre_spawn or key.startswith(_AT_START_PREFIXES) or key.endswith(_AT_START_SUFFIXES)


def fork_delta(launched: dict[str, str], wanted: dict[str, str], pre_spawn: dict[str, str]) -> dict[str, str] | None:
    """What a fork of a server launched with ``launched`` must be given to see ``wanted``; None: spawn.

    Args:
        launched: the server's environment.
        wanted: the environment a spawned worker would get (the driver's plus ``pre_spawn``).
        pre_spawn: the nannies' pre-spawn variables (all read at start).
    """
    changed = {k: v for k, v in wanted.items() if launched.get(k) != v and k not in _IGNORED}
    removed = set(launched) - set(wanted) - _IGNORED
    if removed or any(_at_start(k, pre_spawn) for k in changed):
        return None
    return changed


def _ensure_server(env: dict[str, str]) -> dict[str, str] | None:
    """Launch the server with ``env`` unless it runs; the environment it runs with (None: not ours)."""
    global _launched
    running = getattr(forkserver._forkserver, "_forkserver_pid", None) is not None  # type: ignore[attr-defined]
    if _launched is None and running:
        return None  # launched by someone else, with an environment we do not know
    if _launched is not None:
        env = _launched  # relaunched (if it died) as it was first launched
    # distributed sets its own preload list on first use: let it, then set ours
    with dask.config.set({METHOD_KEY: "forkserver"}):
        from distributed.utils import get_mp_context

        get_mp_context()
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        forkserver.ensure_running()  # a no-op while it runs
    finally:
        os.environ.clear()
        os.environ.update(saved)
    _launched = env
    return env


def worker_start() -> WorkerStart:
    """How to start a local CPU cluster's workers now: forked from the server where that is safe.

    Launches the server on first use (it imports ``PRELOAD`` while the scheduler starts). Call it
    under the config the cluster is started with: the pre-spawn variables are read from it.
    """
    method = worker_start_method()
    if method != "forkserver":
        return WorkerStart(method)
    pre_spawn = pre_spawn_environ()
    wanted = {k: v for k, v in {**os.environ, **pre_spawn}.items() if k not in _IGNORED}
    with _lock:
        launched = _ensure_server(wanted)
    delta = None if launched is None else fork_delta(launched, wanted, pre_spawn)
    if delta is None:
        logger.debug("workers spawned: the worker forkserver's environment differs in a variable read at start")
        return WorkerStart("spawn")
    return WorkerStart("forkserver", delta)
