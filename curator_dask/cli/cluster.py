"""``curator-dask cluster``: a local scheduler and workers that other processes can join."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import Any

from curator_dask.cli.options import Command, add_worker_arguments, cluster_spec, connected
from curator_dask.core.cluster import PORT

__all__ = ["CLUSTER"]


def _wait_for_stop(ready: str) -> str:
    """Print ``ready`` once SIGINT and SIGTERM are caught, block until one arrives; return its name.

    The line comes after the handlers are in place, so a signal sent as soon as it is read (a
    script, a test, an impatient user) is a clean shutdown, never a KeyboardInterrupt.
    """
    stop = threading.Event()
    received: list[str] = []

    def handler(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(ready, flush=True)
        stop.wait()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return received[0]


def _cluster(args: argparse.Namespace) -> None:
    dashboard = None if args.dashboard_address.lower() in ("", "none", "off") else args.dashboard_address
    base = {"host": args.host, "scheduler_port": args.port, "dashboard_address": dashboard}
    spec = cluster_spec(args, {"kind": "local", **base})
    scheduler_file = Path(args.write_scheduler_file) if args.write_scheduler_file else None
    with connected(spec) as handle:
        try:
            if scheduler_file:
                scheduler_file.parent.mkdir(parents=True, exist_ok=True)
                handle.client.write_scheduler_file(str(scheduler_file))
            info = handle.client.scheduler_info()
            print(f"scheduler address: {info.get('address')}")
            if scheduler_file:
                print(f"scheduler file: {scheduler_file}")
            print(f"workers: {len(info.get('workers', {}))}")
            print(f"dashboard: {handle.dashboard_link or '(off)'}")
            print(f"{_wait_for_stop('running until interrupted (Ctrl+C or SIGTERM)')}: shutting down", flush=True)
        finally:
            if scheduler_file:
                scheduler_file.unlink(missing_ok=True)


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_worker_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=PORT.parse, default=8786, help="scheduler port (default: 8786; 0: any free)")
    parser.add_argument("--dashboard-address", default=":8787", help="dashboard address (default: :8787; none: off)")
    parser.add_argument(
        "--scheduler-file", dest="write_scheduler_file", help="also write the scheduler's address to this JSON file"
    )


CLUSTER = Command(
    "cluster",
    help="start a local scheduler and workers, print the address, run until interrupted",
    description="Start a local Dask scheduler and workers (CPU, or one per GPU with --gpu), print the "
    "scheduler address (and write --scheduler-file), and keep them running until Ctrl+C or SIGTERM. "
    "Run pipelines on it with `curator-dask run PIPELINE --scheduler-address ADDRESS`.",
    arguments=_arguments,
    run=_cluster,
)
