"""Turning a small declarative spec into a ``distributed.Client``.

``ClusterSpec`` says which cluster to use; ``connect`` starts or joins it and returns a
``ClusterHandle`` that closes only what it started.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Literal

from distributed import Client

__all__ = ["ClusterHandle", "ClusterSpec", "connect", "gpu_count"]

logger = logging.getLogger(__name__)

Kind = Literal["auto", "local", "gpu", "address", "scheduler_file"]


def gpu_count() -> int:
    """Visible GPUs, counted through dask-cuda when it is installed (imported lazily); else 0."""
    if importlib.util.find_spec("dask_cuda") is None:
        return 0
    try:
        from dask_cuda.utils import get_n_gpus

        return int(get_n_gpus())
    except Exception:  # no driver or no NVML: no usable GPU
        return 0


@dataclass
class ClusterSpec:
    """Which cluster to run on.

    Attributes:
        kind: ``auto`` (GPU when dask-cuda and GPUs are present, else local CPU), ``local``,
            ``gpu``, ``address`` or ``scheduler_file``.
        n_workers: workers to start (local: one per core; gpu: one per visible GPU).
        threads_per_worker: threads per local CPU worker.
        memory_limit: per-worker memory limit of a local cluster (``"4GiB"``, ``"auto"``).
        address: scheduler address for ``kind="address"``.
        scheduler_file: path for ``kind="scheduler_file"``.
        wait_for_workers: how many workers to wait for before returning (0: do not wait).
        timeout: seconds to wait for them.
        dashboard_address: where a local cluster serves its dashboard (``None`` turns it off).
        gpu_options: extra ``LocalCUDACluster`` arguments (``rmm_pool_size``, ``protocol``, ...).
    """

    kind: Kind = "auto"
    n_workers: int | None = None
    threads_per_worker: int = 1
    memory_limit: str | float | None = "auto"
    address: str | None = None
    scheduler_file: str | None = None
    wait_for_workers: int = 0
    timeout: float = 60.0
    dashboard_address: str | None = ":0"
    gpu_options: dict[str, Any] = field(default_factory=dict)

    def resolved_kind(self) -> Kind:
        if self.kind != "auto":
            return self.kind
        if self.address:
            return "address"
        if self.scheduler_file:
            return "scheduler_file"
        return "gpu" if gpu_count() > 0 else "local"


@dataclass
class ClusterHandle:
    """A connected client plus whatever this process started for it."""

    client: Client
    cluster: Any = None
    owned: bool = False

    @property
    def dashboard_link(self) -> str | None:
        try:
            return self.client.dashboard_link
        except Exception:  # a scheduler without a dashboard
            return None

    def close(self) -> None:
        """Close the client and cluster if this handle started them; otherwise leave them be."""
        if not self.owned:
            return
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _start_local(spec: ClusterSpec) -> tuple[Client, Any]:
    from distributed import LocalCluster

    n = spec.n_workers or max(1, (os.cpu_count() or 1) // max(1, spec.threads_per_worker))
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=spec.threads_per_worker,
        processes=True,
        memory_limit=spec.memory_limit,
        dashboard_address=spec.dashboard_address,
    )
    return Client(cluster), cluster


def _start_gpu(spec: ClusterSpec) -> tuple[Client, Any]:
    try:
        from dask_cuda import LocalCUDACluster
    except ImportError as e:
        msg = "ClusterSpec(kind='gpu') needs dask-cuda: pip install 'curator_dask[gpu]' (see the README)."
        raise RuntimeError(msg) from e
    options = {"resources": {"GPU": 1}, "dashboard_address": spec.dashboard_address, **spec.gpu_options}
    if spec.n_workers:
        options.setdefault("n_workers", spec.n_workers)
    cluster = LocalCUDACluster(**options)
    return Client(cluster), cluster


def connect(spec: ClusterSpec | None = None) -> ClusterHandle:
    """Start or join the cluster ``spec`` describes and wait for its workers."""
    spec = spec or ClusterSpec()
    kind = spec.resolved_kind()
    if kind == "local":
        client, cluster = _start_local(spec)
        handle = ClusterHandle(client, cluster, owned=True)
    elif kind == "gpu":
        client, cluster = _start_gpu(spec)
        handle = ClusterHandle(client, cluster, owned=True)
    elif kind == "address":
        if not spec.address:
            raise ValueError("ClusterSpec(kind='address') needs address='tcp://host:8786'")
        handle = ClusterHandle(Client(spec.address, timeout=spec.timeout), owned=True)
    elif kind == "scheduler_file":
        if not spec.scheduler_file:
            raise ValueError("ClusterSpec(kind='scheduler_file') needs scheduler_file='/path/scheduler.json'")
        handle = ClusterHandle(Client(scheduler_file=spec.scheduler_file, timeout=spec.timeout), owned=True)
    else:
        raise ValueError(f"Unknown cluster kind {kind!r}; use auto, local, gpu, address or scheduler_file")
    if spec.wait_for_workers:
        handle.client.wait_for_workers(spec.wait_for_workers, timeout=spec.timeout)
    if handle.dashboard_link:
        logger.info("Dask dashboard: %s", handle.dashboard_link)
    return handle
