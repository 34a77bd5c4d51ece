"""Shared fixtures: one real ``distributed`` cluster (worker processes) for the whole session."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest


def _gpu_available() -> bool:
    if importlib.util.find_spec("cudf") is None:
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _gpu_available():
        return
    skip = pytest.mark.skip(reason="needs a GPU with cudf installed")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    """A ``LocalCluster`` with two single-threaded worker processes, so pickling bugs surface."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit="4GiB",
    ) as lc:
        yield lc


@pytest.fixture(scope="session")
def client(cluster: object) -> Iterator[object]:
    """A ``Client`` on the session cluster. Executors given it must never close it."""
    from distributed import Client

    with Client(cluster) as c:  # type: ignore[arg-type]
        yield c
