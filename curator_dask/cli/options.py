"""What the subcommands share: the ``Command`` record, common options, and connecting.

Counts and durations are parsed by the same ``Bound`` that checks the setting they fill
(``curator_dask.core.fields``), so ``--n-workers 0`` is refused at parse time with what is
allowed. ``dataclass_arguments`` turns a settings dataclass (``SlurmJob``) into flags, one per
field, with the help text of its docstring, so a setting is written down once.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
import typing
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from curator_dask.core.cluster import ClusterHandle, ClusterSpec
from curator_dask.core.fields import POSITIVE, POSITIVE_INT, attribute_docs
from curator_dask.errors import ConfigError

__all__ = [
    "Command",
    "add_connect_arguments",
    "add_overrides_argument",
    "add_worker_arguments",
    "cluster_spec",
    "connected",
    "dataclass_arguments",
    "dataclass_values",
    "say",
]


@dataclass(frozen=True)
class Command:
    """One ``curator-dask`` subcommand.

    Attributes:
        name: the subcommand (``run``).
        help: one line for ``curator-dask --help``.
        description: the paragraph of ``curator-dask NAME --help``.
        arguments: adds the subcommand's options to its parser.
        run: does the work; raises a ``CuratorDaskError`` on failure.
    """

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], None]

    def add_to(self, commands: Any) -> None:
        """Register the subcommand with ``commands`` (what ``add_subparsers`` returned)."""
        parser = commands.add_parser(self.name, help=self.help, description=self.description)
        self.arguments(parser)
        parser.set_defaults(func=self.run)


def say(message: str) -> None:
    """Tell the user on stderr what the command is doing (waits, skipped batches)."""
    print(f"curator-dask: {message}", file=sys.stderr, flush=True)


def add_overrides_argument(parser: argparse.ArgumentParser) -> None:
    """``PIPELINE`` and any number of ``key=value`` overrides after it."""
    parser.add_argument("pipeline", help="a pipeline YAML file, or a packaged pipeline name (heuristic_english)")
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="set a value the YAML defines (input_path=/data), a nested one (cluster.n_workers=8), or add a "
        "new key with +KEY=VALUE; relative paths are made absolute against this directory",
    )


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """Options for the workers of a cluster this process starts."""
    group = parser.add_argument_group("workers of a local cluster")
    group.add_argument("--gpu", action="store_true", help="start one GPU worker per visible GPU (dask-cuda)")
    group.add_argument("--n-workers", type=POSITIVE_INT.parse, help="worker processes (default: one per core / GPU)")
    group.add_argument("--threads-per-worker", type=POSITIVE_INT.parse, help="threads per CPU worker (default: 1)")
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
    group.add_argument("--wait-for-workers", type=POSITIVE_INT.parse, metavar="N", help="wait until N workers joined")
    group.add_argument(
        "--timeout", type=POSITIVE.parse, help="seconds for the scheduler to answer and workers to join (default: 60)"
    )
    group.add_argument(
        "--shutdown-cluster",
        action="store_true",
        help="shut the scheduler and its workers down after the run (batch jobs)",
    )


def cluster_spec(args: argparse.Namespace, base: dict[str, Any] | None = None) -> ClusterSpec:
    """The ``ClusterSpec`` of ``base`` (a YAML ``cluster:`` section) changed by the options in ``args``.

    Raises:
        ConfigError: for options that contradict each other, naming both.
    """
    spec = ClusterSpec.from_dict(dict(base or {}))
    address = getattr(args, "scheduler_address", None)
    scheduler_file = getattr(args, "scheduler_file", None)
    if args.gpu and (address or scheduler_file):
        raise ConfigError("--gpu starts a local GPU cluster; drop it when joining with --scheduler-address/--file")
    local = getattr(args, "local", False)
    chosen = {"address": address, "scheduler_file": scheduler_file, "gpu": args.gpu, "local": local}
    return spec.replace(
        kind=next((kind for kind, given in chosen.items() if given), None),
        address=address,
        scheduler_file=scheduler_file,
        n_workers=args.n_workers,
        threads_per_worker=args.threads_per_worker,
        memory_limit=args.memory_limit,
        rmm_pool_size=args.rmm_pool_size,
        enable_cudf_spill=args.enable_cudf_spill,
        protocol=args.protocol,
        wait_for_workers=getattr(args, "wait_for_workers", None),
        timeout=getattr(args, "timeout", None),
    )


@contextmanager
def connected(spec: ClusterSpec, shutdown_cluster: bool = False) -> Iterator[ClusterHandle]:
    """The cluster ``spec`` names, with waits reported on stderr; closed (or shut down) after the block.

    Args:
        spec: where to run; a cluster started here is always shut down afterwards.
        shutdown_cluster: also shut down a scheduler that was only joined (batch jobs).
    """
    from curator_dask.core import connect

    with _workers_ignore_sigint(spec.resolved_kind() in ("local", "gpu")):
        handle = connect(spec, progress=say)
    try:
        if handle.cluster is not None and logging.getLogger("distributed").getEffectiveLevel() > logging.INFO:
            from curator_dask.cli.quiet import QuietStageFailures

            handle.client.register_plugin(QuietStageFailures())  # the driver prints each failure once
        yield handle
    finally:
        if shutdown_cluster and not handle.cluster:
            handle.client.shutdown()
        handle.close()


@contextmanager
def _workers_ignore_sigint(starting_processes: bool) -> Iterator[None]:
    """Start worker processes with SIGINT ignored, so Ctrl+C stops only this process.

    The terminal sends Ctrl+C to every process of the foreground group: local workers died
    of it mid-task, each printing a KeyboardInterrupt traceback, before this process could shut
    them down in order. A process started while SIGINT is ignored keeps ignoring it (Python and
    asyncio install their handler only where SIGINT is at its default), so the workers are shut
    down by this process, as on SIGTERM. Ctrl+C during the few seconds of start-up is ignored.
    """
    if not starting_processes or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def dataclass_arguments(parser: argparse._ActionsContainer, cls: type, skip: Collection[str] = ()) -> None:
    """One flag per field of the dataclass ``cls`` (but ``skip``), helped by its ``Attributes:`` docs.

    ``--field-name`` (or the field's ``metadata["flag"]``); the type comes from the annotation:
    ``bool`` is a switch, ``list[str]`` a repeatable option, a ``Literal`` a choice, a field with a
    ``metadata["bound"]`` a number in that bound.
    """
    docs = attribute_docs(cls)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        flag = f.metadata.get("flag", "--" + f.name.replace("_", "-"))
        text = docs.get(f.name, "").replace("``", "").rstrip(".")
        options: dict[str, Any] = {"dest": f.name, "help": text}
        hint = hints[f.name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if hint is bool:
            options["action"] = "store_true"
        elif isinstance(default, list):
            options.update(action="append", default=default, help=f"{text} (repeatable)")
        else:
            options["default"] = default
            if "bound" in f.metadata:
                options.update(type=f.metadata["bound"].parse, metavar="N")
            if typing.get_origin(hint) is typing.Literal:
                options["choices"] = typing.get_args(hint)
            if default is not None:
                options["help"] = f"{text} (default: {default})"
        parser.add_argument(flag, **options)


def dataclass_values(args: argparse.Namespace, cls: type, skip: Collection[str] = ()) -> dict[str, Any]:
    """``{field: value}`` of the flags ``dataclass_arguments(parser, cls, skip)`` added."""
    return {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if f.name not in skip}
