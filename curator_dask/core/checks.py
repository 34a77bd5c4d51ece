"""Readiness checks on a connected cluster: enough workers, and GPU workers on distinct devices.

The device check asks every worker (``client.run``) for its node id and the first entry of its
``CUDA_VISIBLE_DEVICES`` (dask-cuda rotates that list so the first entry is the worker's device);
``shared_devices`` is the pure part, testable without a cluster.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from curator_dask.errors import ClusterError

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "check_distinct_devices",
    "has_gpu_workers",
    "shared_devices",
    "wait_for_workers",
    "worker_device",
]


def wait_for_workers(
    client: Client,
    n_workers: int,
    timeout: float,
    progress: Callable[[str], None] | None = None,
    announce_after_s: float = 3.0,
) -> None:
    """Block until ``n_workers`` workers have joined, or fail after ``timeout`` seconds.

    Args:
        client: a client of the scheduler.
        n_workers: how many workers must have joined (0 or less: return at once).
        timeout: seconds to wait in all.
        progress: told how many have joined and what is waited for, once the wait has lasted
            ``announce_after_s`` seconds.
        announce_after_s: seconds before ``progress`` is told.

    Raises:
        ClusterError: naming how many joined, the scheduler and the flags that fix it.
    """
    if n_workers <= 0:
        return
    remaining = timeout
    if progress is not None and announce_after_s < timeout:
        try:
            client.wait_for_workers(n_workers, timeout=announce_after_s)
            return
        except TimeoutError:
            remaining = timeout - announce_after_s
        info = client.scheduler_info()
        progress(
            f"waiting for {n_workers} worker(s) to join the scheduler at {info.get('address')} "
            f"({len(info.get('workers', {}))} so far; up to {remaining:g} s more)"
        )
    try:
        client.wait_for_workers(n_workers, timeout=remaining)
    except TimeoutError as e:
        raise _too_few(client, n_workers, timeout) from e


def _too_few(client: Client, n_workers: int, timeout: float) -> ClusterError:
    info = client.scheduler_info()
    joined = len(info.get("workers", {}))
    return ClusterError(
        f"Only {joined} of {n_workers} workers joined the scheduler at {info.get('address')} within "
        f"{timeout:g} s; start more workers, or lower --wait-for-workers / raise --timeout"
    )


def has_gpu_workers(client: Client) -> bool:
    """Whether any worker declares a ``GPU`` resource."""
    workers = client.scheduler_info().get("workers", {})
    return any(w.get("resources", {}).get("GPU") for w in workers.values())


def worker_device(dask_worker: Any) -> tuple[str, str | None]:
    """``(node id, first visible CUDA device)`` of ``dask_worker``; run through ``client.run``."""
    from curator_dask.backends.dask.setup import node_id_for

    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip() or None
    return node_id_for(dask_worker.address), visible


def shared_devices(devices: dict[str, tuple[str, str | None]]) -> list[str]:
    """One message per device used by more than one worker of a node.

    Args:
        devices: ``{worker address: (node id, device or None)}``; workers without a device are
            ignored.
    """
    users: dict[tuple[str, str], list[str]] = defaultdict(list)
    for worker, (node, device) in sorted(devices.items()):
        if device is not None:
            users[(node, device)].append(worker)
    return [
        f"workers {', '.join(workers)} on node {node!r} all use GPU {device}"
        for (node, device), workers in sorted(users.items())
        if len(workers) > 1
    ]


def check_distinct_devices(client: Client) -> None:
    """Fail when two workers on one node share a GPU.

    Raises:
        ClusterError: listing the workers that share each device and how to fix it.
    """
    problems = shared_devices(client.run(worker_device))
    if problems:
        msg = (
            "GPU workers share a device: " + "; ".join(problems) + ". Start one worker per GPU "
            "(`dask cuda worker`, or `dask worker` with a distinct CUDA_VISIBLE_DEVICES each)."
        )
        raise ClusterError(msg)
