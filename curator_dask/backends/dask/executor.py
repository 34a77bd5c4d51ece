"""``DaskExecutor``: checks a built pipeline, connects to a cluster and runs the driver on it.

Everything that can be known before a run is checked before the cluster is touched: the stages
(a stage, picklable, with a valid batch size, not tied to Ray), the executor config, and the
output paths (never equal to, inside or containing an input). Then the executor connects (or
starts a cluster), ships the user's own modules to workers that lack them, applies each writer's
mode to its output folder, opens the resume ledger and hands the run to ``driver.Driver``.
Framework differences (NeMo Curator stages) are resolved here, once per stage, into the plain
records the planner and driver read.
"""

from __future__ import annotations

from typing import Any

import cloudpickle
from distributed import Client

from curator_dask.backends.base import BaseExecutor
from curator_dask.backends.dask import interop
from curator_dask.backends.dask.adapter import adapter_factory
from curator_dask.backends.dask.config import DaskExecutorConfig
from curator_dask.backends.dask.driver import Driver
from curator_dask.backends.dask.plan import plan_chains, profile_stages
from curator_dask.backends.dask.resume import ResumeLedger
from curator_dask.backends.dask.shipping import shipped_by_value
from curator_dask.core.cluster import ClusterHandle, ClusterSpec, connect
from curator_dask.errors import ConfigError, PipelineError
from curator_dask.metrics.run_result import RunResult
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.io.writer.output_folder import check_output_paths, prepare_outputs
from curator_dask.tasks import EmptyTask, Task

__all__ = ["DaskExecutor"]


class DaskExecutor(BaseExecutor):
    """Runs pipelines on Dask.

    Args:
        config: settings, as a mapping or a ``DaskExecutorConfig`` (see its fields: keys, defaults
            and what each does); unknown keys and bad values fail here.
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
        config: dict[str, Any] | DaskExecutorConfig | None = None,
        ignore_head_node: bool = False,
        *,
        client: Client | None = None,
        address: str | None = None,
        scheduler_file: str | None = None,
        cluster: ClusterSpec | None = None,
    ) -> None:
        settings = config if isinstance(config, DaskExecutorConfig) else DaskExecutorConfig.from_dict(config)
        super().__init__(dict(config) if isinstance(config, dict) else {}, ignore_head_node)
        if sum(x is not None for x in (client, address, scheduler_file)) > 1:
            raise ConfigError("Give DaskExecutor at most one of client=, address= and scheduler_file=")
        self.settings = settings
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
        check_output_paths(stages)
        profiles = profile_stages(stages, [interop.stage_base_class(s) for s in stages])
        plans = plan_chains(profiles)
        factories = [adapter_factory(s) for s in stages]
        initial = list(initial_tasks) if initial_tasks else interop.seed_tasks(stages)
        handle = self._connect()
        try:
            with shipped_by_value(handle.client, stages):
                prepare_outputs(stages)
                depth = 1 if all(isinstance(t, EmptyTask) or t.task_id == "0" for t in initial) else 2
                ledger = ResumeLedger.for_run(stages, self.settings.resume, depth)
                driver = Driver(handle.client, stages, profiles, plans, factories, self.settings, initial, ledger)
                result = driver.execute()
        finally:
            handle.close()
        self.last_result = result
        return result


def _check_stages(stages: list[ProcessingStage]) -> None:
    """Fail before any work for an empty pipeline, a non-stage or a stage that cannot be pickled."""
    if not stages:
        raise PipelineError("DaskExecutor.execute got no stages; build a Pipeline with at least one stage.")
    interop.check_ray_only_stages(stages)  # refuse Ray-only NeMo Curator stages first
    for stage in stages:
        if not isinstance(stage, ProcessingStage) and not interop.is_nemo_stage(stage):
            raise PipelineError(f"DaskExecutor.execute got {type(stage).__name__}, not a ProcessingStage: {stage!r}")
        try:
            cloudpickle.dumps(stage)
        except Exception as e:
            msg = (
                f"Stage {stage.name!r} cannot be pickled to send it to the workers: {type(e).__name__}: {e}. "
                "Create unpicklable things (models, clients, open files) in setup(), not in __init__."
            )
            raise PipelineError(msg) from e
