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
from curator_dask.errors import ConfigError
from curator_dask.metrics.run_result import RunResult

if TYPE_CHECKING:
    from curator_dask.cli.preflight import InputFiles
    from curator_dask.config import PipelineConfig
    from curator_dask.core import ClusterSpec

__all__ = ["DESCRIBE", "RUN", "add_reader_option_argument", "apply_reader_options", "execute"]


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


def _load(args: argparse.Namespace, check_inputs: bool) -> tuple[PipelineConfig, ClusterSpec, list[InputFiles]]:
    """The pipeline file, the cluster spec and the input files, checked as far as this machine can."""
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.cli.preflight import check_inputs as list_inputs
    from curator_dask.config import load_pipeline_config

    config = load_pipeline_config(args.pipeline, args.overrides)
    apply_reader_options(config, args.reader_option)
    spec = cluster_spec(args, config.cluster)
    DaskExecutor(config.executor)  # checks the executor: settings; connects to nothing
    inputs: list[InputFiles] = []
    if check_inputs or spec.resolved_kind() in ("local", "gpu"):  # joined workers may see other files
        inputs = list_inputs(config.stages, config.values, config.path.name)
    return config, spec, inputs


def apply_reader_options(config: PipelineConfig, items: list[str]) -> None:
    """Set ``--reader-option`` values on the readers of ``config``'s stages.

    Raises:
        ConfigError: for a workflow file (its reader takes ``read_kwargs``) or a bad option.
    """
    from curator_dask.config.readers import parse_reader_options, with_reader_options

    options = parse_reader_options(items)
    if options and config.workflow is not None:
        msg = f"{config.path.name}: --reader-option applies to 'stages:' files; a workflow takes read_kwargs=..."
        raise ConfigError(msg)
    config.stages = with_reader_options(config.stages, options, config.path.name)


def _run(args: argparse.Namespace) -> None:
    config, spec, _ = _load(args, check_inputs=False)
    report_dir = None if args.no_report else (args.report_dir or config.report_dir)
    execute(config, spec, report_dir, args.shutdown_cluster)


def _describe(args: argparse.Namespace) -> None:
    from curator_dask.cli.describe import describe

    config, spec, inputs = _load(args, check_inputs=True)
    describe(config, spec, inputs, args)


def add_reader_option_argument(parser: argparse.ArgumentParser) -> None:
    """``--reader-option KEY=VALUE``, repeatable: a setting of every reader (``on_error=skip``)."""
    parser.add_argument(
        "--reader-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a reader argument for this run, e.g. on_error=skip (skip and count bad records) or "
        "files_per_partition=4 (repeatable)",
    )


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    add_overrides_argument(parser)
    add_reader_option_argument(parser)
    add_connect_arguments(parser)
    parser.add_argument("--report-dir", help="where to write the run report (default: the YAML's report_dir)")
    parser.add_argument("--no-report", action="store_true", help="print the report but write no files")


def _describe_arguments(parser: argparse.ArgumentParser) -> None:
    add_overrides_argument(parser)
    add_reader_option_argument(parser)
    add_connect_arguments(parser)
    parser.add_argument("--stages", action="store_true", help="print every stage (Pipeline.describe()) instead")


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
    description="Load PIPELINE, build it and print its input files, its fused chains of stages (resources, "
    "batch sizes, each filter's thresholds) and the cluster. Nothing is started or written; a local input "
    "path that does not exist is an error.",
    arguments=_describe_arguments,
    run=_describe,
)
