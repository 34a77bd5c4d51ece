"""Command-line options shared by subcommands, and turning them into a ``ClusterSpec``."""

from __future__ import annotations

import argparse
from typing import Any

from curator_dask.core.cluster import ClusterSpec

__all__ = ["add_connect_arguments", "add_overrides_argument", "add_worker_arguments", "cluster_spec"]


def add_overrides_argument(parser: argparse.ArgumentParser) -> None:
    """``PIPELINE`` and any number of ``key=value`` overrides after it."""
    parser.add_argument("pipeline", help="a pipeline YAML file, or a packaged pipeline name (heuristic_english)")
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="set a top-level value of the YAML (input_path=/data) or a nested one (cluster.n_workers=8)",
    )


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """Options for the workers of a cluster this process starts."""
    group = parser.add_argument_group("workers of a local cluster")
    group.add_argument("--gpu", action="store_true", help="start one GPU worker per visible GPU (dask-cuda)")
    group.add_argument("--n-workers", type=int, help="worker processes (default: one per core / per GPU)")
    group.add_argument("--threads-per-worker", type=int, help="threads per CPU worker (default: 1)")
    group.add_argument("--memory-limit", help="memory limit per worker, e.g. 4GiB (default: auto)")
    group.add_argument("--rmm-pool-size", help="GPU: RMM pool per worker, e.g. 24GB")
    group.add_argument("--enable-cudf-spill", action="store_true", default=None, help="GPU: let cudf spill to host")
    group.add_argument("--protocol", choices=("tcp", "ucx"), help="GPU: transport between workers (default: tcp)")


def add_connect_arguments(parser: argparse.ArgumentParser) -> None:
    """Options choosing the cluster to run on; they override the YAML's ``cluster:`` section."""
    add_worker_arguments(parser)
    group = parser.add_argument_group("cluster to run on (default: the YAML's cluster: section, else local)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--local", action="store_true", help="start a local CPU cluster for this run")
    where.add_argument("--scheduler-address", metavar="ADDRESS", help="join a running scheduler (tcp://host:8786)")
    where.add_argument("--scheduler-file", metavar="PATH", help="join the scheduler that wrote PATH (HPC)")
    group.add_argument("--wait-for-workers", type=int, metavar="N", help="wait until N workers have joined")
    group.add_argument("--timeout", type=float, help="seconds to wait for the scheduler and workers (default: 60)")
    group.add_argument(
        "--shutdown-cluster",
        action="store_true",
        help="shut the scheduler and its workers down after the run (batch jobs)",
    )


def cluster_spec(args: argparse.Namespace, base: dict[str, Any] | None = None) -> ClusterSpec:
    """The ``ClusterSpec`` of ``base`` (a YAML ``cluster:`` section) changed by the options in ``args``.

    Raises:
        ValueError: for options that contradict each other, naming both.
    """
    spec = ClusterSpec.from_dict(dict(base or {}))
    joined = getattr(args, "scheduler_address", None) or getattr(args, "scheduler_file", None)
    if args.gpu and joined:
        raise ValueError("--gpu starts a local GPU cluster; drop it when joining with --scheduler-address/--file")
    kind = None
    if getattr(args, "scheduler_address", None):
        kind = "address"
    elif getattr(args, "scheduler_file", None):
        kind = "scheduler_file"
    elif args.gpu:
        kind = "gpu"
    elif getattr(args, "local", False):
        kind = "local"
    return spec.replace(
        kind=kind,
        address=getattr(args, "scheduler_address", None),
        scheduler_file=getattr(args, "scheduler_file", None),
        n_workers=args.n_workers,
        threads_per_worker=args.threads_per_worker,
        memory_limit=args.memory_limit,
        rmm_pool_size=args.rmm_pool_size,
        enable_cudf_spill=args.enable_cudf_spill,
        protocol=args.protocol,
        wait_for_workers=getattr(args, "wait_for_workers", None),
        timeout=getattr(args, "timeout", None),
    )
