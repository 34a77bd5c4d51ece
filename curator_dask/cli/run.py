"""``curator-dask run`` and ``curator-dask describe``: pipelines and workflows described in YAML.

A ``stages:`` file runs as a pipeline and prints the per-stage report; a ``workflow:`` file
(``exact_dedup``, ``fuzzy_dedup``) runs the workflow and prints what it returns, such as a
``DeduplicationReport``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_dask.cli.options import add_connect_arguments, add_overrides_argument, cluster_spec
from curator_dask.metrics.run_result import RunResult

if TYPE_CHECKING:
    from curator_dask.config import PipelineConfig
    from curator_dask.core import ClusterSpec

__all__ = ["execute", "execute_workflow", "register"]


@contextmanager
def _executor(config: PipelineConfig, spec: ClusterSpec, shutdown_cluster: bool) -> Iterator[Any]:
    """A ``DaskExecutor`` on the cluster ``spec`` names, with ``config``'s executor settings."""
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.core import connect

    handle = connect(spec)
    try:
        if handle.dashboard_link:
            print(f"dashboard: {handle.dashboard_link}", flush=True)
        yield DaskExecutor(config.executor, client=handle.client)
    finally:
        if shutdown_cluster and not handle.cluster:
            handle.client.shutdown()
        handle.close()


def execute(
    config: PipelineConfig,
    spec: ClusterSpec,
    report_dir: str | None = None,
    shutdown_cluster: bool = False,
) -> RunResult:
    """Run ``config``'s pipeline on the cluster ``spec`` names; print and write the run report.

    Args:
        config: the loaded pipeline file.
        spec: where to run (a cluster started here is shut down afterwards).
        report_dir: folder for the report files (``None``: print only).
        shutdown_cluster: also shut down a scheduler this process only joined (batch jobs).
    """
    from curator_dask.metrics.report import format_table, stage_rows, write_report

    with _executor(config, spec, shutdown_cluster) as executor:
        tasks = config.pipeline().run(executor)
    result = tasks if isinstance(tasks, RunResult) else RunResult(tasks)
    print(format_table(stage_rows(result), result.wall_time))
    if report_dir:
        paths = write_report(result, report_dir)
        print(f"run report: {', '.join(str(p) for p in paths.values())}")
    if result.failures:
        print(f"curator-dask: {len(result.failures)} batch(es) failed and were skipped", file=sys.stderr)
    return result


def execute_workflow(
    config: PipelineConfig,
    spec: ClusterSpec,
    report_dir: str | None = None,
    shutdown_cluster: bool = False,
) -> Any:
    """Run ``config``'s workflow on the cluster ``spec`` names; print its report and write it as JSON.

    Args:
        config: a loaded file with a ``workflow:`` (``config.workflow`` is set).
        spec: where to run (a cluster started here is shut down afterwards).
        report_dir: folder for ``workflow_report.json`` (``None``: print only).
        shutdown_cluster: also shut down a scheduler this process only joined (batch jobs).

    Returns:
        What the workflow's ``run`` returned (a ``DeduplicationReport`` for deduplication).
    """
    with _executor(config, spec, shutdown_cluster) as executor:
        report = config.workflow.run(executor)
    values = report.to_dict() if hasattr(report, "to_dict") else dict(vars(report))
    print(f"{type(config.workflow).__name__}: {type(report).__name__}")
    for key, value in values.items():
        print(f"  {key:20s} {_short(value)}")
    if report_dir:
        path = Path(report_dir) / "workflow_report.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2, default=str))
        print(f"run report: {path}")
    return report


def _short(value: Any) -> str:
    """``value`` on one line: lists by their length, floats to one decimal."""
    if isinstance(value, list | tuple):
        return f"{len(value)} (first: {value[0]})" if value else "0"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _load(args: argparse.Namespace) -> PipelineConfig:
    from curator_dask.config import load_pipeline_config

    return load_pipeline_config(args.pipeline, args.overrides)


def _run(args: argparse.Namespace) -> int:
    config = _load(args)
    report_dir = None if args.no_report else (args.report_dir or config.report_dir)
    run = execute if config.workflow is None else execute_workflow
    run(config, cluster_spec(args, config.cluster), report_dir, args.shutdown_cluster)
    return 0


def _describe(args: argparse.Namespace) -> int:
    config = _load(args)
    pipeline = config.pipeline()
    pipeline.build()
    if config.workflow is not None:
        print(f"Workflow: {type(config.workflow).__module__}.{type(config.workflow).__name__}")
    print(pipeline.describe())
    spec = cluster_spec(args, config.cluster)
    print(f"\nCluster: {_non_default(spec)}")
    print(f"Executor config: {config.executor or '(defaults)'}")
    print(f"Run report: {config.report_dir or '(printed only)'}")
    return 0


def _non_default(spec: ClusterSpec) -> str:
    from dataclasses import fields

    changed: dict[str, Any] = {
        f.name: getattr(spec, f.name)
        for f in fields(spec)
        if f.name != "kind" and getattr(spec, f.name) != getattr(type(spec)(), f.name)
    }
    return f"{spec.kind} {changed}" if changed else spec.kind


def register(commands: Any) -> None:
    """Add ``run`` and ``describe`` to the subcommand parsers ``commands``."""
    run = commands.add_parser(
        "run",
        help="run a pipeline or workflow described in YAML",
        description="Run the pipeline in PIPELINE (NeMo Curator's _target_ format) on the cluster its "
        "cluster: section names, or the one given by the options below; print the per-stage report and "
        "write it (CSV, markdown, PNG) to --report-dir. A workflow: file (exact_dedup, fuzzy_dedup) prints "
        "the workflow's report and writes it as workflow_report.json.",
    )
    add_overrides_argument(run)
    add_connect_arguments(run)
    run.add_argument("--report-dir", help="where to write the run report (default: the YAML's report_dir)")
    run.add_argument("--no-report", action="store_true", help="print the report but write no files")
    run.set_defaults(func=_run)

    describe = commands.add_parser(
        "describe",
        help="print the stages, resources and cluster of a pipeline or workflow YAML without running it",
        description="Load PIPELINE, build it and print its stages, resources, batch sizes and cluster.",
    )
    add_overrides_argument(describe)
    add_connect_arguments(describe)
    describe.set_defaults(func=_describe)
