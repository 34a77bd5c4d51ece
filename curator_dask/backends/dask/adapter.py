"""The Dask stage adapter: a worker's set-up copy of one stage.

Every batch goes through an adapter's ``process_batch``, which does the per-batch duties of
``BaseStageAdapter`` (timing, task ids, sentinels, performance records). A NeMo Curator stage gets
NeMo Curator's own adapter instead, so its tasks see exactly NeMo's semantics; ``adapter_factory``
is the one place that chooses, and the executor asks it once per stage.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from curator_dask.backends import base
from curator_dask.backends.dask import interop
from curator_dask.tasks import Task

__all__ = ["AdapterFactory", "DaskStageAdapter", "StageAdapter", "adapter_factory"]


class StageAdapter(Protocol):
    """What a worker's set-up stage copy offers the chain runner, whichever framework it is from."""

    stage: Any
    failed_tasks: list[Any]

    def process_batch(self, tasks: list[Any]) -> list[Any]: ...

    def setup_on_node(self, node_info: Any = None, worker_metadata: Any = None) -> None: ...

    def setup(self, worker_metadata: Any = None) -> None: ...

    def teardown(self) -> None: ...


AdapterFactory = Callable[[Any], StageAdapter]


class DaskStageAdapter(base.BaseStageAdapter):
    """A worker's set-up copy of one curator_dask stage.

    Batches of one stage copy run one at a time (a stage copy is like one NeMo Curator actor),
    so stages need not be thread-safe on multi-threaded workers.
    """

    def __init__(self, stage: Any) -> None:
        super().__init__(stage)
        self.lock = threading.Lock()

    def process_batch(self, tasks: list[Task]) -> list[Task]:
        with self.lock:
            return super().process_batch(tasks)


def adapter_factory(stage: Any) -> AdapterFactory:
    """The adapter class (or factory) for ``stage``: NeMo Curator's for its stages, else ours.

    The factory is picklable and builds nothing until a worker calls it on its own stage copy.
    """
    if interop.is_nemo_stage(stage):
        return interop.nemo_adapter
    return DaskStageAdapter
