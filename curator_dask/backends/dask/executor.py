"""``DaskExecutor``: runs a built pipeline's stages on a ``distributed`` cluster.

The executor checks the stages, connects to (or starts) a cluster and hands the run to
``run.Run``, the driver loop; see ``adapter`` for what one Dask task (a chain of fused stages)
does on a worker and ``plugins`` for how stages are set up on workers.
"""

from __future__ import annotations

from typing import Any

import cloudpickle
from distributed import Client

from curator_dask.backends.base import BaseExecutor
from curator_dask.backends.dask import interop  # issue 8: NeMo Curator stages
from curator_dask.backends.dask.plan import batch_size_of
from curator_dask.backends.dask.run import Run
from curator_dask.core.cluster import ClusterHandle, ClusterSpec, connect
from curator_dask.errors import PipelineError
from curator_dask.metrics.run_result import RunResult
from curator_dask.stages.base import ProcessingStage
from curator_dask.tasks import Task

__all__ = ["DaskExecutor"]


DEFAULT_CONFIG: dict[str, Any] = {
    "failure_policy": "raise",  # or "continue": record failing batches in the result and go on
    "max_retries": 0,  # Dask retries of a chain whose worker died or that raised
    "max_in_flight": None,  # chains running or queued on the cluster; None: 16 per worker thread
    "progress": True,  # print per-stage progress to stderr on runs longer than progress_interval
    "progress_interval": 10.0,
    "worker_timeout": 60.0,  # seconds to wait for a first worker on a cluster without any
    "resume": "auto",  # skip input partitions a previous run wrote completely (see resume.py)
    "stall_timeout": 600.0,  # seconds every worker may stay paused for memory before the run fails
    "on_setup_error": "raise",  # or "exclude_worker": run on the workers whose setup worked
}


class DaskExecutor(BaseExecutor):
    """Runs pipelines on Dask.

    Args:
        config: settings (see ``DEFAULT_CONFIG``): ``failure_policy`` (``"raise"`` or
            ``"continue"``), ``max_retries``, ``max_in_flight``, ``progress``,
            ``progress_interval``, ``worker_timeout``, ``resume`` (``"auto"``, True, False),
            ``stall_timeout``, ``on_setup_error`` (``"raise"`` or ``"exclude_worker"``).
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
        if self.config.get("on_setup_error", "raise") not in ("raise", "exclude_worker"):
            msg = f"on_setup_error must be 'raise' or 'exclude_worker', got {self.config['on_setup_error']!r}"
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
            initial = list(initial_tasks) if initial_tasks else interop.seed_tasks(stages)  # issue 8
            result = Run(handle.client, stages, self.settings, initial).execute()
        finally:
            handle.close()
        self.last_result = result
        return result


def _check_stages(stages: list[ProcessingStage]) -> None:
    """Fail before any work for an empty pipeline, a non-stage or a stage that cannot be pickled."""
    if not stages:
        raise PipelineError("DaskExecutor.execute got no stages; build a Pipeline with at least one stage.")
    interop.check_ray_only_stages(stages)  # issue 8: refuse Ray-only NeMo Curator stages first
    for stage in stages:
        if not isinstance(stage, ProcessingStage) and not interop.is_nemo_stage(stage):  # issue 8
            raise PipelineError(f"DaskExecutor.execute got {type(stage).__name__}, not a ProcessingStage: {stage!r}")
        try:
            cloudpickle.dumps(stage)
        except Exception as e:
            msg = (
                f"Stage {stage.name!r} cannot be pickled to send it to the workers: {type(e).__name__}: {e}. "
                "Create unpicklable things (models, clients, open files) in setup(), not in __init__."
            )
            raise PipelineError(msg) from e
        batch_size_of(stage)  # raises for a bad batch size, naming the stage
