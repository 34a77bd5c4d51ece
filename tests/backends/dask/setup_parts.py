"""Stages that look at how the executor set their worker up (importable, so workers unpickle them)."""

from __future__ import annotations

from curator_dask.backends.base import WorkerMetadata
from curator_dask.backends.dask.setup import elections_root
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch
from tests.backends.dask.pipeline_parts import record


class PluginNames(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Logs its setup and teardown, and per batch the curator_dask worker plugins its worker holds."""

    name = "plugin_names"

    def __init__(self, events_log: str) -> None:
        self.events_log = events_log

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        self.worker = worker_metadata.worker_id if worker_metadata else "?"
        record(self.events_log, f"setup {self.name} {self.worker}")

    def teardown(self) -> None:
        record(self.events_log, f"teardown {self.name} {self.worker}")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        from distributed import get_worker

        names = sorted(n for n in get_worker().plugins if n.startswith("curator-"))
        record(self.events_log, f"batch {self.name} {','.join(names)}")
        return task


class ElectionSnoop(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Logs, per batch, its run's id and whether the run holds node-election files on its machine."""

    name = "election_snoop"

    def __init__(self, events_log: str) -> None:
        self.events_log = events_log

    def process(self, task: DocumentBatch) -> DocumentBatch:
        from distributed import get_worker

        run_id = get_worker().get_current_task().rsplit("-", 1)[1].split("/")[0]  # its chain's key names the run
        record(self.events_log, f"{run_id} {(elections_root() / run_id).exists()}")
        return task
