"""Turning a small declarative spec into a ``distributed.Client``.

``ClusterSpec`` says which cluster to use; ``connect`` starts or joins it, waits for its workers,
checks GPU workers, reports versions, logs the dashboard link and returns a ``ClusterHandle`` that
closes only what it started. GPU libraries are imported only when a GPU cluster is started.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import dask
from distributed import Client

from curator_dask.core.checks import check_distinct_devices, has_gpu_workers, wait_for_workers
from curator_dask.core.fields import NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, Bound, check_bounds, did_you_mean
from curator_dask.core.forkserver import worker_start
from curator_dask.core.join import announce_after, join
from curator_dask.core.versions import log_versions
from curator_dask.errors import ClusterError, ConfigError

__all__ = [
    "KINDS",
    "ClusterHandle",
    "ClusterSpec",
    "connect",
    "gpu_cluster_options",
    "gpu_count",
    "scheduler_has_bokeh",
]

logger = logging.getLogger(__name__)

# Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive
# mmap threshold: every numpy temporary over 128 KiB is then mapped and page-faulted afresh, and
# the text filters ran up to 2x slower in workers than in one process. Workers started here keep
# glibc's default. (For `dask worker` deployments: export
# DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON__MALLOC_TRIM_THRESHOLD_=None.)
WORKER_ENVIRON = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

Kind = Literal["auto", "local", "gpu", "address", "scheduler_file"]
KINDS: tuple[str, ...] = ("auto", "local", "gpu", "address", "scheduler_file")
PORT = Bound(0, high=65535)
ANNOUNCE_AFTER = 3.0  # seconds of waiting before connect says what it waits for
NO_BOKEH = (
    "No Dask dashboard: bokeh is not installed where the scheduler runs. Install it there "
    "(pip install 'bokeh>=3.1', or pip install 'curator_dask[dashboard]') and the link is shown."
)


def _fix(name: str) -> str:
    flag = "--port" if name == "scheduler_port" else f"--{name.replace('_', '-')}"
    return f"; set cluster.{name} in the YAML, or {flag} on the command line"


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
        kind: ``auto`` (an address or scheduler file when given, else GPU when dask-cuda and GPUs
            are present, else local CPU), ``local``, ``gpu``, ``address`` or ``scheduler_file``.
        n_workers: workers to start, at least 1 (``None``: local one per core, gpu one per
            visible GPU).
        threads_per_worker: threads per local CPU worker, at least 1.
        memory_limit: per-worker memory limit of a local cluster (``"4GiB"``, ``"auto"``, bytes).
        address: scheduler address for ``kind="address"``.
        scheduler_file: path for ``kind="scheduler_file"``.
        wait_for_workers: how many workers to wait for before returning (0: a local cluster waits
            for all it started, a remote one for at least one).
        timeout: seconds (> 0) to wait for the scheduler to answer and the workers to join;
            an address where nothing listens fails at once.
        dashboard_address: where a local cluster serves its dashboard (``None`` turns it off).
        host: interface a local cluster's scheduler listens on (``None``: loopback).
        scheduler_port: port of a local cluster's scheduler, 0 to 65535 (0: any free port).
        rmm_pool_size: GPU only: RMM pool per worker (``"24GB"``); ``None`` leaves RMM alone.
        enable_cudf_spill: GPU only: let cudf spill device memory to host.
        protocol: GPU only: ``"tcp"`` or ``"ucx"`` between workers.
        gpu_options: further ``LocalCUDACluster`` keyword arguments, passed through unchanged.
        check_devices: on GPU workers, fail when two workers of a node share a device.
        report_versions: log the package versions of the client and the workers.
    """

    kind: Kind = "auto"
    n_workers: int | None = field(default=None, metadata={"bound": Bound(1, none="one per core, or per GPU")})
    threads_per_worker: int = field(default=1, metadata={"bound": POSITIVE_INT})
    memory_limit: str | float | None = "auto"
    address: str | None = None
    scheduler_file: str | None = None
    wait_for_workers: int = field(default=0, metadata={"bound": NON_NEGATIVE_INT})
    timeout: float = field(default=60.0, metadata={"bound": POSITIVE})
    dashboard_address: str | None = ":0"
    host: str | None = None
    scheduler_port: int = field(default=0, metadata={"bound": PORT})
    rmm_pool_size: str | None = None
    enable_cudf_spill: bool = False
    protocol: Literal["tcp", "ucx"] | None = None
    gpu_options: dict[str, Any] = field(default_factory=dict)
    check_devices: bool = True
    report_versions: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            hint = did_you_mean(str(self.kind), KINDS)
            msg = f"Unknown cluster kind {self.kind!r}{hint}; use one of {', '.join(KINDS)}"
            raise ConfigError(msg)
        if self.protocol not in (None, "tcp", "ucx"):
            raise ConfigError(f"Unknown protocol {self.protocol!r}; use 'tcp' or 'ucx' (GPU clusters only)")
        check_bounds(self, _fix)

    @classmethod
    def from_dict(cls, values: Any, where: str = "cluster") -> ClusterSpec:
        """A spec from a mapping (the ``cluster:`` section of a pipeline YAML).

        Args:
            values: ``{field: value}``.
            where: what ``values`` is, for messages (``"p.yaml: cluster"``).

        Raises:
            ConfigError: for a key that is not a field (with the closest one), or a bad value.
        """
        if not isinstance(values, dict):
            raise ConfigError(f"{where} must be a mapping of {cls.__name__} settings, got {values!r}")
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = [f"{k!r}{did_you_mean(str(k), known)}" for k in sorted(set(values) - set(known), key=str)]
        if unknown:
            settings = "settings" if len(unknown) > 1 else "setting"
            raise ConfigError(f"{where}: unknown {settings} {', '.join(unknown)}; allowed: {', '.join(known)}")
        try:
            return cls(**values)
        except ConfigError as e:
            raise ConfigError(f"{where}: {e}") from e

    def replace(self, **changes: Any) -> ClusterSpec:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def resolved_kind(self) -> Kind:
        """The concrete kind ``auto`` stands for on this machine."""
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
        """The dashboard URL, or None when the scheduler serves none or cannot draw it (no bokeh)."""
        link = self.served_dashboard_link
        return link if link and scheduler_has_bokeh(self.client) else None

    @property
    def served_dashboard_link(self) -> str | None:
        """The URL of the scheduler's web server, whether or not bokeh draws a dashboard there."""
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


def _has_bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


def scheduler_has_bokeh(client: Client) -> bool:
    """Whether the scheduler can import bokeh, without which its dashboard pages only say so.

    Asked of the scheduler (it draws the pages); one that cannot run curator_dask's function
    (another environment) is assumed to be like this one.
    """
    try:
        return bool(client.run_on_scheduler(_has_bokeh))
    except Exception:
        return _has_bokeh()


def dashboard_options(spec: ClusterSpec) -> dict[str, Any]:
    """The (CUDA) ``LocalCluster`` keywords for ``spec.dashboard_address``.

    Distributed's scheduler serves its HTTP routes even with the dashboard off, on 8787 unless
    told otherwise: "off" alone still takes (or warns about) port 8787, so it goes to a free port.
    """
    if spec.dashboard_address is None:
        return {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": ":0"}}
    return {"dashboard_address": spec.dashboard_address}


def _start_local(spec: ClusterSpec) -> tuple[Client, Any, int]:
    from distributed import LocalCluster

    n = spec.n_workers or max(1, (os.cpu_count() or 1) // max(1, spec.threads_per_worker))
    with dask.config.set(WORKER_ENVIRON):
        start = worker_start()  # forked from a preloaded server where safe (see core/forkserver.py)
        with dask.config.set(start.config):
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=spec.threads_per_worker,
                processes=True,
                memory_limit=spec.memory_limit,
                host=spec.host,
                scheduler_port=spec.scheduler_port,
                **({"env": start.env} if start.env else {}),
                **dashboard_options(spec),
            )
    return Client(cluster), cluster, n


def gpu_cluster_options(spec: ClusterSpec) -> dict[str, Any]:
    """The ``LocalCUDACluster`` keyword arguments ``spec`` asks for (one worker per GPU, ``GPU=1``)."""
    options: dict[str, Any] = {
        "resources": {"GPU": 1},
        "scheduler_port": spec.scheduler_port,
        **dashboard_options(spec),
    }
    if spec.host:
        options["host"] = spec.host
    if spec.n_workers:
        options["n_workers"] = spec.n_workers
    if spec.memory_limit is not None:
        options["memory_limit"] = spec.memory_limit
    if spec.rmm_pool_size:
        options["rmm_pool_size"] = spec.rmm_pool_size
    if spec.enable_cudf_spill:
        options["enable_cudf_spill"] = True
    if spec.protocol:
        options["protocol"] = spec.protocol
    return {**options, **spec.gpu_options}


def _start_gpu(spec: ClusterSpec) -> tuple[Client, Any, int]:
    try:
        from dask_cuda import LocalCUDACluster
    except ImportError as e:
        msg = "ClusterSpec(kind='gpu') needs dask-cuda: pip install 'curator_dask[gpu]' (see environment.yml)"
        raise ClusterError(msg) from e
    with dask.config.set(WORKER_ENVIRON):
        cluster = LocalCUDACluster(**gpu_cluster_options(spec))
    return Client(cluster), cluster, len(cluster.workers)


def connect(
    spec: ClusterSpec | None = None,
    progress: Callable[[str], None] | None = None,
    announce_after_s: float = ANNOUNCE_AFTER,
) -> ClusterHandle:
    """Start or join the cluster ``spec`` describes and make sure it is ready to run stages.

    Args:
        spec: the cluster (default: ``ClusterSpec()``).
        progress: told what ``connect`` waits for (starting workers, joining the scheduler,
            workers to join) once a wait is longer than ``announce_after_s``; default: log at INFO.
        announce_after_s: seconds of waiting before ``progress`` is told.

    Raises:
        ClusterError: when nothing listens at the scheduler's address (at once), the scheduler
            does not answer or too few workers join within ``spec.timeout``, or two GPU workers
            of a node share a device.
    """
    spec = spec or ClusterSpec()
    say = progress or logger.info
    kind = spec.resolved_kind()
    if kind in ("local", "gpu"):
        what = "GPU workers (one per GPU)" if kind == "gpu" else f"{spec.n_workers or 'one per core'} CPU worker(s)"
        with announce_after(announce_after_s, say, f"starting a local cluster of {what}"):
            client, cluster, started = (_start_local if kind == "local" else _start_gpu)(spec)
        handle = ClusterHandle(client, cluster, owned=True)
        expected = spec.wait_for_workers or started
    else:
        if kind == "address" and not spec.address:
            raise ClusterError("ClusterSpec(kind='address') needs address='tcp://host:8786' (--scheduler-address)")
        address = spec.address if kind == "address" else None
        handle = ClusterHandle(join(address, spec.scheduler_file, spec.timeout, say, announce_after_s), owned=True)
        expected = spec.wait_for_workers or 1
    try:
        wait_for_workers(handle.client, expected, spec.timeout, say, announce_after_s)
        if spec.check_devices and (kind == "gpu" or has_gpu_workers(handle.client)):
            check_distinct_devices(handle.client)
        if spec.report_versions:
            log_versions(handle.client)
    except BaseException:
        handle.close()
        raise
    served = handle.served_dashboard_link
    if served and scheduler_has_bokeh(handle.client):
        logger.info("Dask dashboard: %s", served)
    elif served:
        logger.info(NO_BOKEH)
    return handle
