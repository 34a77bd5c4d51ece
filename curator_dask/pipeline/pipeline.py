"""``Pipeline``: an ordered list of stages, built into execution stages and run by an executor."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from curator_dask.errors import PipelineError
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.tasks import EmptyTask, Task

if TYPE_CHECKING:
    from curator_dask.backends.base import BaseExecutor

__all__ = ["Pipeline", "assign_root_task_ids"]

logger = logging.getLogger(__name__)


def assign_root_task_ids(initial_tasks: list[Task]) -> list[Task]:
    """Give user-supplied initial tasks the ids ``0_0``, ``0_1``, ... (an ``EmptyTask`` stays ``0``)."""
    for i, task in enumerate(initial_tasks):
        if not isinstance(task, EmptyTask):
            task._set_task_id("0", i)
    return initial_tasks


def _describe_io(label: str, spec: object) -> list[str]:
    specs = spec.items() if isinstance(spec, dict) else [(None, spec)]
    lines: list[str] = []
    for task_type, (attrs, cols) in specs:  # type: ignore[misc]
        if not attrs and not cols:
            continue
        indent = "    "
        if task_type is not None:
            lines.append(f"    {task_type.__name__}:")
            indent = "      "
        if attrs:
            lines.append(f"{indent}{label} attributes: {', '.join(attrs)}")
        if cols:
            lines.append(f"{indent}{label} columns: {', '.join(cols)}")
    return lines


class Pipeline:
    """A named sequence of stages.

    Args:
        name: the pipeline's name.
        description: a line for ``describe()``.
        stages: initial stages (more with ``add_stage``).
        config: settings valid for every executor.
    """

    def __init__(
        self,
        name: str,
        description: str | None = None,
        stages: list[ProcessingStage] | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.stages: list[ProcessingStage] = []
        self.config = config or {}
        self.decomposition_info: dict[str, list[str]] = {}
        for stage in stages or []:
            self.add_stage(stage)

    def add_stage(self, stage: ProcessingStage) -> Pipeline:
        """Append a stage; returns the pipeline for chaining."""
        if not isinstance(stage, ProcessingStage):
            msg = f"Pipeline.add_stage takes a ProcessingStage, got {type(stage).__name__}: {stage!r}"
            raise TypeError(msg)
        self.stages.append(stage)
        return self

    def build(self) -> list[ProcessingStage]:
        """Expand composite stages and assign the source and sink roles; returns the stages."""
        if not self.stages:
            msg = f"Pipeline {self.name!r} has no stages; add some with add_stage()."
            raise PipelineError(msg)
        expanded: list[ProcessingStage] = []
        for stage in self.stages:
            if not isinstance(stage, CompositeStage):
                expanded.append(stage)
                continue
            parts = stage.decompose_and_apply_with()
            nested = [p.name for p in parts if isinstance(p, CompositeStage)]
            if nested:
                msg = f"Composite stage {stage.name!r} expands into composites {nested}; nesting is not supported."
                raise TypeError(msg)
            self.decomposition_info[stage.name] = [p.name for p in parts]
            expanded.extend(parts)
        self.stages = expanded
        self._assign_roles()
        return self.stages

    def _assign_roles(self) -> None:
        for role in ("is_source_stage", "is_sink_stage"):
            marked = [s.name for s in self.stages if getattr(s, role)]
            if len(marked) > 1:
                kind = "source" if role == "is_source_stage" else "sink"
                msg = (
                    f"Pipeline {self.name!r} has more than one {kind} stage marked (multiple {kind} stages "
                    f"marked): {marked}; at most one is allowed. Fix: set {role}=False on all but one."
                )
                raise PipelineError(msg)
        if not any(s.is_source_stage for s in self.stages):
            self.stages[0].is_source_stage = True
        if not any(s.is_sink_stage for s in self.stages):
            self.stages[-1].is_sink_stage = True

    def describe(self) -> str:
        """A readable description of the stages, their resources, batch sizes, inputs and outputs."""
        lines = [
            f"Pipeline: {self.name}",
            f"Description: {self.description or 'No description provided'}",
            f"Stages: {len(self.stages)}",
            "",
        ]
        for i, stage in enumerate(self.stages, 1):
            res = stage.resources
            lines.append(f"Stage {i}: {stage.name} ({type(stage).__name__})")
            gpu = f", {res.gpus:g} GPU" if res.requires_gpu else ""
            lines.append(f"  Resources: {res.cpus:g} CPUs{gpu}")
            lines.append(f"  Batch size: {stage.batch_size}")
            try:
                inputs = _describe_io("Required", stage.inputs())
                outputs = _describe_io("Output", stage.outputs())
            except Exception as e:  # a stage whose spec cannot be computed is still described
                lines.append(f"  Error getting stage info: {e}")
                continue
            if inputs:
                lines += ["  Inputs:", *inputs]
            if outputs:
                lines += ["  Outputs:", *outputs]
        lines.append("")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(f"{s.name}({type(s).__name__})" for s in self.stages)
        return f"Pipeline(name={self.name!r}, stages=[{inner}])"

    def run(self, executor: BaseExecutor | None = None, initial_tasks: list[Task] | None = None) -> list[Task]:
        """Build and run the pipeline; returns the last stage's output tasks.

        Args:
            executor: defaults to a ``DaskExecutor`` on a local cluster it starts and stops.
            initial_tasks: tasks to start from; ``[EmptyTask()]`` when None.
        """
        stages = self.build()
        if executor is None:
            from curator_dask.backends.dask import DaskExecutor

            executor = DaskExecutor()
        if initial_tasks:
            assign_root_task_ids(initial_tasks)
        logger.info("Running pipeline %r with %d stages on %s", self.name, len(stages), type(executor).__name__)
        return executor.execute(stages, initial_tasks)
