"""Cluster set-up: local CPU, local GPU, an existing scheduler, a scheduler file, Slurm jobs."""

from curator_dask.core.checks import check_distinct_devices, shared_devices, wait_for_workers
from curator_dask.core.cluster import ClusterHandle, ClusterSpec, connect, gpu_cluster_options, gpu_count
from curator_dask.core.slurm import SlurmJob, render_sbatch
from curator_dask.core.versions import format_versions, package_versions, version_mismatches, versions_report
from curator_dask.errors import ClusterError

__all__ = [
    "ClusterError",
    "ClusterHandle",
    "ClusterSpec",
    "SlurmJob",
    "check_distinct_devices",
    "connect",
    "format_versions",
    "gpu_cluster_options",
    "gpu_count",
    "package_versions",
    "render_sbatch",
    "shared_devices",
    "version_mismatches",
    "versions_report",
    "wait_for_workers",
]
