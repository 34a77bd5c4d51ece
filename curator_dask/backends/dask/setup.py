"""Setting stages up on workers: one worker plugin per run, and the once-per-node election.

``RunSetupPlugin`` is registered once per run (one broadcast to the workers, not one per
stage). On each worker it sets every stage up in pipeline order through that stage's
``StageSetup``: ``setup_on_node`` once per node (on a throw-away copy, elected among the node's
workers), then ``setup`` on the worker's copy, which every batch of the stage on that worker uses
(``adapter_for``). Both run in a thread, off the worker's event loop, each stage within
``setup_timeout`` seconds. A worker stops at the first stage whose set-up fails there and says
which (the error names the stage). Workers that join later get the same treatment when they
register; when the executor removes the plugin, every stage set up on the worker is torn down
and the run's election files on the node are removed.

A node is a host by default; ``CURATOR_DASK_NODE_ID`` in a worker's environment overrides it
(containers that share a host name, tests that simulate nodes). The election uses a file lock
in the node's temporary directory: the first worker to take it runs ``setup_on_node`` and leaves
a marker saying how it went; the others wait on the lock and read the marker. It needs no
scheduler changes and works for workers that join later.
"""

from __future__ import annotations

import asyncio
import copy
import fcntl
import logging
import os
import re
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cloudpickle
from distributed import WorkerPlugin
from distributed.comm import get_address_host

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.backends.dask.adapter import AdapterFactory, StageAdapter
from curator_dask.backends.dask.interop import stage_base_class
from curator_dask.errors import StageSetupError

__all__ = [
    "NODE_ID_ENV",
    "RunSetupPlugin",
    "StageSetup",
    "elections_root",
    "exclude_failed_workers",
    "forget_run",
    "node_id_for",
]

logger = logging.getLogger(__name__)

NODE_ID_ENV = "CURATOR_DASK_NODE_ID"
_OK = "ok"


class StageSetup:
    """One stage's set-up on the workers of this process: ``setup_on_node`` once per node, then ``setup``.

    Args:
        stage: the stage (pickled now, by value where the workers cannot import its module).
        run_id: the run's id (names the node election).
        index: the stage's position in the pipeline.
        factory: makes the adapter around a worker's stage copy (``adapter.adapter_factory``).
        timeout: seconds this stage's set-up may take on one worker.
    """

    def __init__(self, stage: Any, run_id: str, index: int, factory: AdapterFactory, timeout: float) -> None:
        self.run_id = run_id
        self.index = index
        self.stage_name = str(stage.name)
        self.factory = factory
        self.timeout = timeout
        self.node_setup = _has_node_setup(stage)  # without one, no node election (no lock files) is held
        self._stage_bytes = cloudpickle.dumps(stage)
        self._adapters: dict[str, StageAdapter] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_adapters", "_errors", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._adapters, self._errors, self._lock = {}, {}, threading.Lock()

    async def setup(self, address: str) -> None:
        """Set the stage up for the worker at ``address`` (in a thread, within ``timeout``)."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self._setup, address), self.timeout)
        except TimeoutError:
            msg = (
                f"Setting up stage {self.stage_name!r} did not finish on worker {address} within "
                f"{self.timeout:g} s (setup_timeout). A setup_on_node or setup that waits for something that "
                "never comes (a download, a lock, a device) hangs here; fix it, or raise the executor config "
                "setup_timeout if it is only slow. The stuck call keeps running in that worker until it exits."
            )
            self._errors[address] = msg
            raise StageSetupError(msg) from None

    def _stage(self, address: str) -> Any:
        try:
            return cloudpickle.loads(self._stage_bytes)
        except ModuleNotFoundError as e:
            msg = (
                f"Stage {self.stage_name!r} cannot be sent to worker {address}: that worker cannot import "
                f"module {e.name!r}, which the stage needs. Install it in the workers' environment (the same "
                f"packages as the client), or send it with client.upload_file('<path to {e.name}.py>')."
            )
            raise StageSetupError(msg) from e

    def _setup(self, address: str) -> StageAdapter:
        with self._lock:
            if address in self._adapters:
                return self._adapters[address]
            node = node_id_for(address)
            metadata = WorkerMetadata(worker_id=address, allocation={"node_id": node})
            try:
                stage = self._stage(address)
                if self.node_setup:
                    run_once_per_node(
                        self.run_id,
                        f"{self.index:03d}",
                        node,
                        lambda: self.factory(copy.deepcopy(stage)).setup_on_node(NodeInfo(node_id=node), metadata),
                    )
                adapter = self.factory(stage)
                adapter.setup(metadata)
            except StageSetupError as exc:
                self._errors[address] = str(exc)
                raise
            except NodeSetupFailed as exc:
                self._errors[address] = str(exc)
                msg = f"Setting up stage {self.stage_name!r} failed on worker {address} (node {node!r}): {exc}"
                raise StageSetupError(msg) from exc
            except Exception as exc:
                self._errors[address] = traceback.format_exc()
                msg = (
                    f"Setting up stage {self.stage_name!r} failed on worker {address} (node {node!r}): "
                    f"{type(exc).__name__}: {exc}\n\nOriginal traceback (on the worker):\n{self._errors[address]}"
                )
                raise StageSetupError(msg) from exc
            self._adapters[address] = adapter
            return adapter

    async def teardown(self, address: str) -> None:
        """Tear down the worker's copy, if this stage was set up there."""
        adapter = self._adapters.pop(address, None)
        if adapter is not None:
            await asyncio.to_thread(adapter.teardown)


class RunSetupPlugin(WorkerPlugin):
    """Sets every stage of a run up on each worker, in pipeline order; tears them all down at the end.

    Args:
        stages: each stage's ``StageSetup``, by stage index.
        run_id: the run's id (names the plugin and the node election).
    """

    idempotent = False

    def __init__(self, stages: list[StageSetup], run_id: str) -> None:
        self.name = f"curator-{run_id}"
        self.run_id = run_id
        self.stages = stages

    async def setup(self, worker: Any) -> None:
        for stage in self.stages:  # stops at the first stage that fails here, raising its error
            await stage.setup(worker.address)

    def failure(self, address: str) -> tuple[StageSetup, str] | None:
        """The first stage whose set-up failed on this worker, with its error, if any."""
        return next(((s, s._errors[address]) for s in self.stages if address in s._errors), None)

    def adapter_for(self, worker: Any, index: int) -> StageAdapter:
        """This worker's set-up copy of stage ``index``; a worker whose set-up failed says so."""
        stage = self.stages[index]
        adapter = stage._adapters.get(worker.address)
        if adapter is not None:
            return adapter
        failed = self.failure(worker.address)
        if failed is not None:
            which = "its setup" if failed[0] is stage else f"the setup of stage {failed[0].stage_name!r}"
            msg = f"Stage {stage.stage_name!r} cannot run on worker {worker.address}: {which} failed there."
            msg += f"\n{failed[1]}"
            raise StageSetupError(msg)
        return stage._setup(worker.address)  # a worker still being set up: wait for it

    async def teardown(self, worker: Any) -> None:
        errors = []
        for stage in self.stages:  # every stage gets its teardown, even after another one raised
            try:
                await stage.teardown(worker.address)
            except Exception as exc:
                errors.append(exc)
        if any(stage.node_setup for stage in self.stages):
            forget_run(self.run_id)  # the elections are over: every worker that will set up has
        if errors:
            raise errors[0]


def _has_node_setup(stage: Any) -> bool:
    """Whether ``stage`` has a ``setup_on_node`` of its own (not its framework's no-op)."""
    if "setup_on_node" in getattr(stage, "__dict__", {}):
        return True
    return getattr(type(stage), "setup_on_node", None) is not getattr(stage_base_class(stage), "setup_on_node", None)


def _setup_errors(dask_worker: Any, name: str) -> tuple[str, str] | None:
    plugin = dask_worker.plugins.get(name)
    failed = None if plugin is None else plugin.failure(dask_worker.address)
    return None if failed is None else (failed[0].stage_name, failed[1])


def exclude_failed_workers(client: Any, plugin: RunSetupPlugin) -> dict[str, str]:
    """Retire the workers on which a stage's set-up failed; returns ``{worker: error}``.

    Raises:
        StageSetupError: when the setup failed on every worker (nothing left to run on).
    """
    errors = {w: e for w, e in client.run(_setup_errors, name=plugin.name).items() if e}
    if len(errors) == len(client.scheduler_info()["workers"]):
        stage_name, first = next(iter(errors.values()))
        msg = f"Setting up stage {stage_name!r} failed on every worker; first error:\n{first}"
        raise StageSetupError(msg)
    if errors:
        client.retire_workers(workers=list(errors), close_workers=True, remove=True)
    return {w: e.strip().splitlines()[-1] for w, (_, e) in errors.items()}


# -- nodes and the once-per-node election ---------------------------------------------------
def node_id_for(worker_address: str) -> str:
    """The node id of the worker at ``worker_address`` (never contains a comma)."""
    node = os.environ.get(NODE_ID_ENV) or get_address_host(worker_address)
    return node.replace(",", "_")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def elections_root() -> Path:
    """The folder of this node's election files: one folder per run under it."""
    return Path(tempfile.gettempdir()) / "curator_dask-setup"


def _election_folder(run_id: str) -> Path:
    return elections_root() / _safe(run_id)


class NodeSetupFailed(RuntimeError):
    """``setup_on_node`` raised in the worker of this node that ran it (raised in the others)."""


def run_once_per_node(run_id: str, key: str, node_id: str, fn: Callable[[], None]) -> bool:
    """Run ``fn`` once for ``(run_id, key, node_id)`` among all processes of this node.

    Blocks until the node's single run has finished. Returns True in the process that ran it.

    Raises:
        NodeSetupFailed: when the node's run raised (in every process that waited for it), naming
            the original error first, with its traceback.
    """
    folder = _election_folder(run_id)
    stem = f"{_safe(key)}--{_safe(node_id)}"  # node ids hold dots: never use Path.with_suffix here
    marker = folder / f"{stem}.done"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{stem}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        try:
            if marker.exists():
                outcome = marker.read_text()
                if outcome != _OK:
                    error, _, trace = outcome.partition("\n")
                    raise NodeSetupFailed(
                        f"{error} (setup_on_node ran in another worker of node {node_id!r}; its traceback:)\n{trace}"
                    )
                return False
            try:
                fn()
            except Exception as exc:
                # First line: the error as the worker that ran it reports it, so every worker of the
                # node names the same error first, whichever of them reaches the driver first.
                marker.write_text(f"{type(exc).__name__}: {exc}".replace("\n", " ") + "\n" + traceback.format_exc())
                raise
            marker.write_text(_OK)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def forget_run(run_id: str) -> None:
    """Remove a finished run's election files on this node (best effort; run at the run's end)."""
    shutil.rmtree(_election_folder(run_id), ignore_errors=True)
