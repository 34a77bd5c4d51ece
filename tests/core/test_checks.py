"""No two GPU workers of a node may share a device."""

from __future__ import annotations

import pytest
from distributed import Client, LocalCluster

from curator_dask.core import ClusterError, ClusterSpec, check_distinct_devices, connect, shared_devices


def test_shared_devices_groups_by_node_and_device() -> None:
    devices = {
        "tcp://a:1": ("a", "0"),
        "tcp://a:2": ("a", "1"),
        "tcp://b:1": ("b", "0"),
        "tcp://c:1": ("c", None),
        "tcp://c:2": ("c", None),
    }
    assert shared_devices(devices) == []
    devices["tcp://a:3"] = ("a", "1")
    assert shared_devices(devices) == ["workers tcp://a:2, tcp://a:3 on node 'a' all use GPU 1"]


def test_workers_sharing_a_device_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")  # threads workers: all see device 0 first
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None, resources={"GPU": 1}) as cluster:
        with Client(cluster) as client, pytest.raises(ClusterError, match=r"share a device: workers .* use GPU 0"):
            check_distinct_devices(client)
        with pytest.raises(ClusterError, match="Start one worker per GPU"):
            connect(ClusterSpec(address=cluster.scheduler_address, report_versions=False))
        connect(ClusterSpec(address=cluster.scheduler_address, check_devices=False)).close()
