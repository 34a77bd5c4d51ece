"""``curator-dask run`` and ``curator-dask describe``: pipelines and workflows described in YAML.

A ``stages:`` file runs as a pipeline and prints the per-stage report; a ``workflow:`` file
(``exact_dedup``, ``fuzzy_dedup``) runs the workflow and prints what it returns, such as a
``DeduplicationReport``. Both commands check what they can before any cluster is involved: the
overrides and the ``cluster:`` section (when loading), the executor settings, and, where the
workers share this machine's files (``describe``, or a run on a local cluster), that every
local input path exists.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_dask.cli.options import Command, add_connect_arguments, add_overrides_argument, cluster_spec, connected
from curator_dask.metrics.run_result import RunResult

if TYPE_CHECKING:
    from curator_dask.config import PipelineConfig
    from curator_dask.core import ClusterSpec

__all__ = ["DESCRIBE", "RUN", "execute"]


def execute(
    config: PipelineConfig,
    spec: ClusterSpec,
    report_dir: str | None = None,
    shutdown_cluster: bool = False,
) -> Any:
    """Run ``config``'s pipeline or workflow on the cluster ``spec`` names; print and write its report.

    Args:
        config: the loaded pipeline file.
        spec: where to run (a cluster started here is shut down afterwards).
        report_dir: folder for the report files (``None``: print only).
        shutdown_cluster: also shut down a scheduler this process only joined (batch jobs).

    Returns:
        For a ``stages:`` file the ``RunResult``; for a ``workflow:`` file what the workflow's
        ``run`` returned (a ``DeduplicationReport`` for deduplication).
    """
    from curator_dask.backends.dask import DaskExecutor

    with connected(spec, shutdown_cluster) as handle:
        if handle.dashboard_link:
            print(f"dashboard: {handle.dashboard_link}", flush=True)
        executor = DaskExecutor(config.executor, client=handle.client)
        outcome = config.pipeline().run(executor) if config.workflow is None else config.workflow.run(executor)
    if config.workflow is not None:
        _print_workflow_report(config, outcome, report_dir)
        return outcome
    result = outcome if isinstance(outcome, RunResult) else RunResult(outcome)
    _print_run_report(result, report_dir)
    return result


def _print_run_report(result: RunResult, report_dir: str | None) -> None:
    from curator_dask.metrics.report import format_table, stage_rows, write_report

    print(format_table(stage_rows(result), result.wall_time))
    if report_dir:
        paths = write_report(result, report_dir)
        print(f"run report: {', '.join(str(p) for p in paths.values())}")
    if result.failures:
        print(f"curator-dask: {len(result.failures)} batch(es) failed and were skipped", file=sys.stderr)


def _print_workflow_report(config: PipelineConfig, report: Any, report_dir: str | None) -> None:
    values = report.to_dict() if hasattr(report, "to_dict") else dict(vars(report))
    print(f"{type(config.workflow).__name__}: {type(report).__name__}")
    for key, value in values.items():
        print(f"  {key:20s} {_short(value)}")
    if report_dir:
        path = Path(report_dir) / "workflow_report.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2, default=str))
        print(f"run report: {path}")


def _short(value: Any) -> str:
    """``value`` on one line: lists by their length, floats to one decimal."""
    if isinstance(value, list | tuple):
        return f"{len(value)} (first: {value[0]})" if value else "0"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _load(args: argparse.Namespace, check_inputs: bool) -> tuple[PipelineConfig, ClusterSpec]:
    """The pipeline file and the cluster spec, checked as far as this machine can check them."""
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.config import load_pipeline_config
    from curator_dask.config.paths import check_input_paths

    config = load_pipeline_config(args.pipeline, args.overrides)
    spec = cluster_spec(args, config.cluster)
    DaskExecutor(config.executor)  # checks the executor: settings; connects to nothing
    if check_inputs or spec.resolved_kind() in ("local", "gpu"):  # joined workers may see other files
        check_input_paths(config.stages, config.path.name)
    return config, spec


def _run(args: argparse.Namespace) -> None:
    config, spec = _load(args, check_inputs=False)
    report_dir = None if args.no_report else (args.report_dir or config.report_dir)
    execute(config, spec, report_dir, args.shutdown_cluster)


def _describe(args: argparse.Namespace) -> None:
    config, spec = _load(args, check_inputs=True)
    pipeline = config.pipeline()
    pipeline.build()
    if config.workflow is not None:
        print(f"Workflow: {type(config.workflow).__module__}.{type(config.workflow).__name__}")
    print(pipeline.describe())
    print(f"\nCluster: {_non_default(spec)}")
    print(f"Executor config: {config.executor or '(defaults)'}")
    print(f"Run report: {config.report_dir or '(printed only)'}")


def _non_default(spec: ClusterSpec) -> str:
    from dataclasses import fields

    changed: dict[str, Any] = {
        f.name: getattr(spec, f.name)
        for f in fields(spec)
        if f.name != "kind" and getattr(spec, f.name) != getattr(type(spec)(), f.name)
    }
    return f"{spec.kind} {changed}" if changed else spec.kind


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    add_overrides_argument(parser)
    add_connect_arguments(parser)
    parser.add_argument("--report-dir", help="where to write the run report (default: the YAML's report_dir)")
    parser.add_argument("--no-report", action="store_true", help="print the report but write no files")


def _describe_arguments(parser: argparse.ArgumentParser) -> None:
    add_overrides_argument(parser)
    add_connect_arguments(parser)


RUN = Command(
    "run",
    help="run a pipeline or workflow described in YAML",
    description="Run the pipeline in PIPELINE (NeMo Curator's _target_ format) on the cluster its "
    "cluster: section names, or the one given by the options below; print the per-stage report and "
    "write it (CSV, markdown, PNG) to --report-dir. A workflow: file (exact_dedup, fuzzy_dedup) prints "
    "the workflow's report and writes it as workflow_report.json.",
    arguments=_run_arguments,
    run=_run,
)
DESCRIBE = Command(
    "describe",
    help="print the stages, resources and cluster of a pipeline or workflow YAML without running it",
    description="Load PIPELINE, build it and print its stages, resources, batch sizes and cluster. Nothing "
    "is started or written; a local input path that does not exist is an error.",
    arguments=_describe_arguments,
    run=_describe,
)
