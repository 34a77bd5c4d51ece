"""``ClusterSpec`` and ``connect``: settings, GPU options handed to dask-cuda, waiting, errors."""

from __future__ import annotations

import logging
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from distributed import Client, LocalCluster

from curator_dask.core import ClusterError, ClusterSpec, connect, gpu_cluster_options, wait_for_workers
from curator_dask.errors import ConfigError


def test_from_dict_names_unknown_keys_with_the_closest() -> None:
    assert ClusterSpec.from_dict({"kind": "local", "n_workers": 2}).n_workers == 2
    with pytest.raises(ConfigError, match=r"^cluster: unknown settings 'workers' \(did you mean 'n_workers'\?\), "
                       r"'zzz'; allowed: kind, n_workers, threads_per_worker"):  # fmt: skip
        ClusterSpec.from_dict({"workers": 2, "zzz": 1})
    with pytest.raises(ConfigError, match=r"Unknown cluster kind 'locale' \(did you mean 'local'\?\); use one of auto"):
        ClusterSpec(kind="locale")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="Unknown protocol 'ib'"):
        ClusterSpec(protocol="ib")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_workers": 0}, r"ClusterSpec\.n_workers must be a whole number >= 1, or None \(one per core, or per GPU\), "
         r"got 0; set cluster\.n_workers in the YAML, or --n-workers on the command line"),
        ({"n_workers": -1}, r"ClusterSpec\.n_workers must be .*, got -1"),
        ({"n_workers": True}, r"ClusterSpec\.n_workers must be .*, got True"),
        ({"n_workers": "4"}, r"ClusterSpec\.n_workers must be .*, got '4'"),
        ({"threads_per_worker": 0}, r"ClusterSpec\.threads_per_worker must be a whole number >= 1, got 0; set "
         r"cluster\.threads_per_worker in the YAML, or --threads-per-worker"),
        ({"wait_for_workers": -1}, r"ClusterSpec\.wait_for_workers must be a whole number >= 0, got -1"),
        ({"timeout": 0}, r"ClusterSpec\.timeout must be a number > 0, got 0; set cluster\.timeout in the YAML, or "
         "--timeout"),
        ({"timeout": float("nan")}, r"ClusterSpec\.timeout must be a number > 0, got nan"),
        ({"scheduler_port": 70000}, r"ClusterSpec\.scheduler_port must be a whole number from 0 to 65535, got 70000; "
         r"set cluster\.scheduler_port in the YAML, or --port"),
    ],
)  # fmt: skip
def test_counts_and_timeouts_are_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ClusterSpec(**changes)
    with pytest.raises(ConfigError, match=message):
        ClusterSpec().replace(**changes)  # a changed copy is checked too


def test_replace_ignores_none_and_auto_resolves() -> None:
    spec = ClusterSpec(n_workers=4).replace(n_workers=None, address="tcp://h:8786")
    assert spec.n_workers == 4 and spec.resolved_kind() == "address"
    assert ClusterSpec(scheduler_file="s.json").resolved_kind() == "scheduler_file"


def test_gpu_options() -> None:
    spec = ClusterSpec(kind="gpu", n_workers=2, memory_limit="8GiB", rmm_pool_size="20GB", enable_cudf_spill=True,
                       protocol="ucx", gpu_options={"device_memory_limit": "30GB"})  # fmt: skip
    assert gpu_cluster_options(spec) == {
        "resources": {"GPU": 1},
        "dashboard_address": ":0",
        "scheduler_port": 0,
        "n_workers": 2,
        "memory_limit": "8GiB",
        "rmm_pool_size": "20GB",
        "enable_cudf_spill": True,
        "protocol": "ucx",
        "device_memory_limit": "30GB",
    }
    assert "rmm_pool_size" not in gpu_cluster_options(ClusterSpec(kind="gpu"))


def test_gpu_cluster_is_started_through_dask_cuda_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class FakeCUDACluster(LocalCluster):
        def __init__(self, **kwargs: Any) -> None:
            seen.update(kwargs)
            super().__init__(n_workers=1, processes=False, dashboard_address=None, resources=kwargs["resources"])

    monkeypatch.setitem(sys.modules, "dask_cuda", types.SimpleNamespace(LocalCUDACluster=FakeCUDACluster))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    handle = connect(ClusterSpec(kind="gpu", rmm_pool_size="1GB", dashboard_address=None))
    try:
        assert seen["rmm_pool_size"] == "1GB" and seen["resources"] == {"GPU": 1}
        assert len(handle.client.scheduler_info()["workers"]) == 1
    finally:
        handle.close()


def test_gpu_without_dask_cuda_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask_cuda", None)
    with pytest.raises(ClusterError, match=r"needs dask-cuda: pip install 'curator_dask\[gpu\]'"):
        connect(ClusterSpec(kind="gpu"))


@pytest.fixture
def empty_scheduler() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        yield cluster


def test_waiting_for_workers_times_out_with_the_fix(empty_scheduler: LocalCluster) -> None:
    spec = ClusterSpec(address=empty_scheduler.scheduler_address, wait_for_workers=2, timeout=0.5)
    with pytest.raises(ClusterError, match=r"Only 0 of 2 workers joined .* lower --wait-for-workers / raise --timeout"):
        connect(spec)


def test_a_long_wait_for_workers_says_what_it_waits_for(empty_scheduler: LocalCluster) -> None:
    said: list[str] = []
    with Client(empty_scheduler) as client, pytest.raises(ClusterError, match="Only 0 of 2 workers joined"):
        wait_for_workers(client, 2, timeout=0.6, progress=said.append, announce_after_s=0.2)
    address = empty_scheduler.scheduler_address
    assert said == [f"waiting for 2 worker(s) to join the scheduler at {address} (0 so far; up to 0.4 s more)"]


def test_missing_scheduler_file_is_named(tmp_path: Any) -> None:
    with pytest.raises(ClusterError, match=r"Scheduler file '.*nope.json' does not exist"):
        connect(ClusterSpec(kind="scheduler_file", scheduler_file=str(tmp_path / "nope.json")))
    with pytest.raises(ClusterError, match="needs address="):
        connect(ClusterSpec(kind="address"))


def test_joining_logs_versions_and_leaves_the_cluster_running(
    cluster: LocalCluster, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="curator_dask.core"):
        handle = connect(ClusterSpec(address=cluster.scheduler_address, wait_for_workers=2))
    assert "Package versions:" in caplog.text and "workers (2)" in caplog.text
    handle.close()
    assert len(cluster.scheduler_info["workers"]) == 2


def test_starting_a_local_cluster_says_so_when_it_takes_a_while() -> None:
    said: list[str] = []
    spec = ClusterSpec(kind="local", n_workers=1, dashboard_address=None, report_versions=False)
    connect(spec, progress=said.append, announce_after_s=0.01).close()  # a worker process starts in far more
    assert said == ["starting a local cluster of 1 CPU worker(s)"]


def test_a_local_cluster_without_dashboard_does_not_take_port_8787(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distributed serves its HTTP routes even with the dashboard off: on a free port, not 8787."""
    import socket
    import warnings

    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:
        pass  # something else holds 8787 already, which is the case under test
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            handle = connect(ClusterSpec(kind="local", n_workers=1, dashboard_address=None, report_versions=False))
        try:
            assert handle.dashboard_link is None
            assert not [w for w in caught if "8787" in str(w.message)]
        finally:
            handle.close()
    finally:
        holder.close()
