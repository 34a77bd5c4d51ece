"""Cluster set-up: local CPU, local GPU, an existing scheduler, or a scheduler file."""

from curator_dask.core.cluster import ClusterHandle, ClusterSpec, connect, gpu_count

__all__ = ["ClusterHandle", "ClusterSpec", "connect", "gpu_count"]
