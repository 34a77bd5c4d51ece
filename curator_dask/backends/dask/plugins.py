"""The worker plugin that sets a stage up on every worker (and tears it down)."""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
import traceback
from typing import Any

import cloudpickle
from distributed import WorkerPlugin

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.backends.dask.interop import StageAdapter, make_adapter  # issue 8: NeMo Curator stages
from curator_dask.backends.dask.node import node_id_for, run_once_per_node
from curator_dask.errors import StageSetupError

__all__ = ["StageSetupPlugin", "exclude_failed_workers"]

logger = logging.getLogger(__name__)


class StageSetupPlugin(WorkerPlugin):
    """Sets one stage up on each worker: ``setup_on_node`` once per node, then ``setup``.

    ``setup_on_node`` runs on a throw-away copy of the stage (it may only leave effects on the
    node), elected among the node's workers by a file lock; ``setup`` runs on the worker's own
    copy, which every batch of the stage on that worker then uses. Both run in a thread, off the
    worker's event loop. Workers that join later get the same treatment when they register.
    ``teardown`` (when the executor removes the plugin) calls the stage's ``teardown``.
    """

    idempotent = False

    def __init__(self, stage: Any, run_id: str, index: int) -> None:
        self.name = f"curator-{run_id}-{index:03d}-{stage.name}"
        self.run_id = run_id
        self.index = index
        self.stage_name = str(stage.name)
        self._stage_bytes = cloudpickle.dumps(stage)  # by value where needed (notebook classes)
        self._adapters: dict[str, StageAdapter] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_adapters", "_errors", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._adapters, self._errors, self._lock = {}, {}, threading.Lock()

    async def setup(self, worker: Any) -> None:
        await asyncio.to_thread(self._setup, worker.address)

    def _setup(self, address: str) -> StageAdapter:
        with self._lock:
            if address in self._adapters:
                return self._adapters[address]
            node = node_id_for(address)
            metadata = WorkerMetadata(worker_id=address, allocation={"node_id": node})
            stage = cloudpickle.loads(self._stage_bytes)
            try:
                run_once_per_node(
                    self.run_id,
                    f"{self.index:03d}",
                    node,
                    lambda: make_adapter(copy.deepcopy(stage)).setup_on_node(NodeInfo(node_id=node), metadata),
                )
                adapter = make_adapter(stage)  # NeMo Curator's adapter for its stages
                adapter.setup(metadata)
            except Exception as exc:
                self._errors[address] = traceback.format_exc()
                msg = (
                    f"Setting up stage {self.stage_name!r} failed on worker {address} (node {node!r}): "
                    f"{type(exc).__name__}: {exc}\n\nOriginal traceback (on the worker):\n{self._errors[address]}"
                )
                raise StageSetupError(msg) from exc
            self._adapters[address] = adapter
            return adapter

    def adapter_for(self, worker: Any) -> StageAdapter:
        """This worker's set-up stage copy; a worker whose setup failed says so."""
        adapter = self._adapters.get(worker.address)
        if adapter is not None:
            return adapter
        if worker.address in self._errors:
            msg = (
                f"Stage {self.stage_name!r} cannot run on worker {worker.address}: its setup failed there.\n"
                f"{self._errors[worker.address]}"
            )
            raise StageSetupError(msg)
        return self._setup(worker.address)  # a plugin still being set up: wait for it

    async def teardown(self, worker: Any) -> None:
        adapter = self._adapters.pop(worker.address, None)
        if adapter is not None:
            await asyncio.to_thread(adapter.teardown)


def _setup_errors(dask_worker: Any, name: str) -> str | None:
    plugin = dask_worker.plugins.get(name)
    return None if plugin is None else plugin._errors.get(dask_worker.address)


def exclude_failed_workers(client: Any, plugin: StageSetupPlugin) -> dict[str, str]:
    """Retire the workers on which ``plugin``'s setup failed; returns ``{worker: error}``.

    Raises:
        StageSetupError: when the setup failed on every worker (nothing left to run on).
    """
    errors = {w: e for w, e in client.run(_setup_errors, name=plugin.name).items() if e}
    if len(errors) == len(client.scheduler_info()["workers"]):
        first = next(iter(errors.values()))
        msg = f"Setting up stage {plugin.stage_name!r} failed on every worker; first error:\n{first}"
        raise StageSetupError(msg)
    if errors:
        client.retire_workers(workers=list(errors), close_workers=True, remove=True)
    return {w: e.strip().splitlines()[-1] for w, e in errors.items()}
