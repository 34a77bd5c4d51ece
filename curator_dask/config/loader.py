"""Pipeline YAML files: stages by import path, ``with_`` overrides, the cluster and the executor.

A file holds a ``stages:`` list in NeMo Curator's format (``_target_`` plus the constructor's
arguments; ``${var}`` refers to a top-level key), or instead a ``workflow:`` mapping naming a
workflow class and its arguments (``ExactDeduplicationWorkflow``, ``FuzzyDeduplicationWorkflow``:
anything with ``pipeline()`` and ``run(executor)``), and may add::

    cluster: {kind: local, n_workers: 4, memory_limit: 4GiB}    # a ClusterSpec
    executor: {failure_policy: raise}                           # DaskExecutor config
    report_dir: ${output_path}/_report                          # where the run report goes

Per stage, ``resources:`` (as in NeMo Curator's ``run.py``) and ``with_: {resources, batch_size,
name, num_workers}`` are applied through ``stage.with_``; for a composite stage ``with_`` maps
sub-stage names to those settings. Keys of NeMo's Hydra/Ray set-up are ignored with a warning.

Overrides (``key=value`` after the file on the command line) must name a key the file defines,
so that a misspelt one is an error with the closest key, not a setting silently ignored;
``cluster.<ClusterSpec field>`` and ``executor.<key>`` are always allowed, and ``+key=value`` adds
a key on purpose. The ``cluster:`` section is checked when the file is loaded. Relative local
paths are made absolute against the current directory (see ``curator_dask.config.paths``).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curator_dask.config.instantiate import TARGET, instantiate, locate
from curator_dask.config.nemo_workflows import nemo_workflow_arguments
from curator_dask.config.paths import absolute_paths
from curator_dask.config.values import MISSING, apply_overrides, interpolate, read_yaml
from curator_dask.core.cluster import ClusterSpec
from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.resources import Resources

__all__ = ["PIPELINES_DIR", "PipelineConfig", "load_pipeline_config", "resolve_pipeline_path"]

logger = logging.getLogger(__name__)

PIPELINES_DIR = Path(__file__).parent / "pipelines"
_SECTIONS = ("stages", "workflow", "cluster", "executor", "report_dir", "name", "description")
_IGNORED = ("defaults", "hydra", "documentation", "ray_client", "backend", "execution_mode")
_WITH_KEYS = ("name", "resources", "batch_size", "num_workers")
_CLUSTER_KEYS = tuple(f.name for f in dataclasses.fields(ClusterSpec))


@dataclass
class PipelineConfig:
    """A loaded pipeline file.

    Attributes:
        path: the file it came from.
        name: the pipeline name (``name:`` in the file, else the file's stem).
        description: ``description:`` in the file, if any.
        stages: the stages, ``with_`` overrides applied (for a workflow: those of its pipeline).
        cluster: the ``cluster:`` section (empty when absent).
        executor: the ``executor:`` section (``DaskExecutor`` config).
        report_dir: where to write the run report (``report_dir:``, else ``<output_path>/_report``).
        values: the top-level values after overrides.
        workflow: the ``workflow:`` object (a ``DeduplicationWorkflow``), or ``None`` for ``stages:``.
        entries: the ``stages:`` entries as written, references resolved, one per stage (what
            ``describe`` shows of a filter's arguments; empty for a workflow).
    """

    path: Path
    name: str
    description: str | None
    stages: list[ProcessingStage]
    cluster: dict[str, Any] = field(default_factory=dict)
    executor: dict[str, Any] = field(default_factory=dict)
    report_dir: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    workflow: Any = None
    entries: list[dict[str, Any]] = field(default_factory=list)

    def pipeline(self) -> Pipeline:
        """A new ``Pipeline`` of these stages (the workflow's own, built anew, for a workflow)."""
        if self.workflow is not None:
            return self.workflow.pipeline()  # type: ignore[no-any-return]
        return Pipeline(self.name, self.description, list(self.stages))


def resolve_pipeline_path(name: str | Path) -> Path:
    """``name`` as a file, else one of the packaged pipelines (``heuristic_english``)."""
    path = Path(name)
    if path.is_file():
        return path
    for candidate in (PIPELINES_DIR / path.name, PIPELINES_DIR / f"{path.name}.yaml"):
        if candidate.is_file():
            return candidate
    packaged = ", ".join(sorted(p.stem for p in PIPELINES_DIR.glob("*.yaml")))
    raise ConfigError(f"Pipeline file {str(name)!r} not found; give a YAML path or a packaged pipeline: {packaged}")


def load_pipeline_config(name: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> PipelineConfig:
    """Read, override, interpolate and instantiate a pipeline file.

    Args:
        name: a YAML path or the name of a packaged pipeline.
        overrides: ``key=value`` strings (``input_path=/data``, ``cluster.n_workers=8``) of keys
            the file defines (or ``cluster.<ClusterSpec field>``, ``executor.<key>``); ``+key=value``
            adds a key. Relative local paths are made absolute here (see ``config.paths``).

    Raises:
        ConfigError: naming the file, the stage and the fix for anything it cannot use.
    """
    path = resolve_pipeline_path(name)
    known = {"cluster": _CLUSTER_KEYS, "executor": None, "report_dir": (), "name": (), "description": ()}
    values = absolute_paths(apply_overrides(read_yaml(path), list(overrides), where=path.name, known=known))
    if "workflow" in values and "stages" in values:
        raise ConfigError(f"{path} has both 'workflow:' and 'stages:'; keep one (a workflow builds its own stages)")
    if "workflow" not in values and (not isinstance(values.get("stages"), list) or not values["stages"]):
        raise ConfigError(
            f"{path} needs a non-empty 'stages:' list of {{_target_: ..., ...}} entries, or a 'workflow:' mapping"
        )
    missing = [k for k, v in values.items() if v == MISSING]
    if missing:
        given = " ".join(f"{k}=..." for k in missing)
        raise ConfigError(f"{', '.join(missing)} must be set ({path.name} has ???): pass {given} after the file")
    for key in _IGNORED[3:]:
        if key in values:
            logger.warning("%s: %r is NeMo Curator's Ray set-up and is ignored; use 'cluster:' instead", path, key)
    resolved = absolute_paths(interpolate(values, keys=[k for k in _SECTIONS if k in values]))
    cluster = resolved.get("cluster") or {}
    ClusterSpec.from_dict(cluster, where=f"{path.name}: cluster")  # fail here, not when connecting
    workflow = _build_workflow(resolved["workflow"], f"{path.name}: workflow") if "workflow" in resolved else None
    if workflow is not None:
        stages = list(workflow.pipeline().stages)
    else:
        stages = [_build_stage(entry, f"{path.name}: stages[{i}]") for i, entry in enumerate(resolved["stages"])]
    report_dir = resolved.get("report_dir")
    if report_dir is None and isinstance(values.get("output_path"), str):
        report_dir = str(interpolate(values, keys=["output_path"])["output_path"]).rstrip("/") + "/_report"  # URLs too
    return PipelineConfig(
        path=path,
        name=str(resolved.get("name") or path.stem),
        description=resolved.get("description"),
        stages=stages,
        cluster=dict(cluster),
        executor=dict(resolved.get("executor") or {}),
        report_dir=report_dir,
        values=values,
        workflow=workflow,
        entries=[] if workflow is not None else [dict(e) for e in resolved["stages"]],
    )


_WORKFLOW_EXAMPLES = (
    "curator_dask.stages.deduplication.exact.workflow.ExactDeduplicationWorkflow",
    "curator_dask.stages.deduplication.fuzzy.workflow.FuzzyDeduplicationWorkflow",
)


def _build_workflow(entry: Any, where: str) -> Any:
    """The workflow object of a ``workflow:`` section: a mapping, or (NeMo Curator's form) a list of one."""
    if isinstance(entry, list) and len(entry) == 1:
        entry, where = entry[0], f"{where}[0]"
    elif isinstance(entry, list):
        msg = f"{where} lists {len(entry)} workflows; a file runs one: keep one entry (or write one file per workflow)"
        raise ConfigError(msg)
    examples = " or ".join(f"'_target_: {e}'" for e in _WORKFLOW_EXAMPLES)
    if not isinstance(entry, dict) or TARGET not in entry:
        raise ConfigError(f"{where} must be a mapping with {examples} and its arguments, got {entry!r}")
    target = locate(entry[TARGET])
    if isinstance(target, type):
        entry = {TARGET: entry[TARGET], **nemo_workflow_arguments(target, _arguments(entry), where)}
    workflow = instantiate(entry, where)
    if not (callable(getattr(workflow, "pipeline", None)) and callable(getattr(workflow, "run", None))):
        raise ConfigError(
            f"{where}: {entry[TARGET]} built a {type(workflow).__name__}, not a workflow with pipeline() and "
            f"run(executor); name a workflow class: {examples}"
        )
    return workflow


def _arguments(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != TARGET}


def _build_stage(entry: Any, where: str) -> ProcessingStage:
    if not isinstance(entry, dict) or TARGET not in entry:
        raise ConfigError(f"{where} must be a mapping with '_target_: package.module.StageClass', got {entry!r}")
    entry = dict(entry)
    with_ = dict(entry.pop("with_", None) or {})
    if "resources" in entry:
        with_.setdefault("resources", entry.pop("resources"))
    if "batch_size" in entry and not _accepts(locate(entry[TARGET]), "batch_size"):
        with_.setdefault("batch_size", entry.pop("batch_size"))
    stage = instantiate(entry, where)
    if not isinstance(stage, ProcessingStage | CompositeStage):
        raise ConfigError(f"{where}: {entry[TARGET]} built a {type(stage).__name__}, not a ProcessingStage")
    if not with_:
        return stage
    if isinstance(stage, CompositeStage):
        return stage.with_({sub: _with_kwargs(kw, f"{where}.with_.{sub}") for sub, kw in with_.items()})
    return stage.with_(**_with_kwargs(with_, f"{where}.with_"))


def _accepts(factory: Any, name: str) -> bool:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _with_kwargs(settings: Any, where: str) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ConfigError(f"{where} must be a mapping of {', '.join(_WITH_KEYS)}, got {settings!r}")
    unknown = sorted(set(settings) - set(_WITH_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}; with_ accepts {', '.join(_WITH_KEYS)}")
    kwargs = dict(settings)
    resources = kwargs.get("resources")
    if isinstance(resources, dict):
        try:
            kwargs["resources"] = instantiate(resources, where) if TARGET in resources else Resources(**resources)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{where}.resources {resources!r}: {e}; use cpus, gpus or gpu_memory_gb") from e
    return kwargs
