"""Node and worker setup on a cluster of real processes: two simulated nodes with two workers
each (different loopback hosts), plus a worker on a third node that joins mid-run."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from tests.backends.dask.pipeline_parts import MakeBatches, Slow, StageWithSetup, read_log
from tests.backends.dask.processes import loopback_cluster

WORKERS = {"a1": "127.0.0.2", "a2": "127.0.0.2", "b1": "127.0.0.3", "b2": "127.0.0.3"}


@pytest.fixture(scope="module")
def loopback(tmp_path_factory):
    with loopback_cluster(tmp_path_factory.mktemp("loopback"), WORKERS) as (cluster, client):
        yield cluster, client


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.05)


@pytest.mark.slow
def test_setup_once_per_node_and_worker_with_a_late_joiner(loopback, tmp_path):
    cluster, client = loopback
    slow_log, setup_log = tmp_path / "slow.log", tmp_path / "setup.log"
    pipeline = Pipeline(
        "setup",
        stages=[MakeBatches(48), Slow(0.25, str(slow_log)), StageWithSetup(str(tmp_path), str(setup_log))],
    )
    outcome: dict[str, object] = {}
    runner = threading.Thread(target=lambda: outcome.update(result=pipeline.run(DaskExecutor(client=client))))
    runner.start()
    _wait_for(lambda: any(line.startswith("batch") for line in read_log(slow_log)))
    late = cluster.add_worker("127.0.0.4", "c1")
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert len(outcome["result"]) == 48

    workers = client.scheduler_info()["workers"]
    assert len(workers) == 5, "the late worker joined"
    late_address = next(a for a, w in workers.items() if w["name"] == "c1")
    events = read_log(setup_log)
    node_setups = Counter(e.split()[1] for e in events if e.startswith("setup_on_node"))
    assert node_setups == {"127.0.0.2": 1, "127.0.0.3": 1, "127.0.0.4": 1}
    worker_setups = Counter(e.split()[1] for e in events if e.startswith("setup "))
    assert worker_setups == dict.fromkeys(workers, 1)
    for node in node_setups:  # on each node, node setup came before every worker setup
        first_worker_setup = min(i for i, e in enumerate(events) if e.startswith("setup ") and e.endswith(node))
        assert events.index(next(e for e in events if e.startswith(f"setup_on_node {node}"))) < first_worker_setup
    assert Counter(e.split()[1] for e in events if e.startswith("teardown")) == Counter(
        {n: 2 for n in ("127.0.0.2", "127.0.0.3")} | {"127.0.0.4": 1}
    )
    slow_events = read_log(slow_log)
    assert Counter(e.split()[1] for e in slow_events if e.startswith("teardown")) == Counter(
        e.split()[1] for e in slow_events if e.startswith("setup")
    )
    assert late_address in {e.split()[1] for e in slow_events if e.startswith("setup")} or late.poll() is None


@pytest.mark.slow
@pytest.mark.parametrize("how", ["address", "scheduler_file"])
def test_connect_by_address_and_scheduler_file(loopback, tmp_path, how):
    cluster, client = loopback
    kwargs = {"address": cluster.address} if how == "address" else {"scheduler_file": str(cluster.scheduler_file)}
    result = Pipeline("connect", stages=[MakeBatches(6)]).run(DaskExecutor(**kwargs))
    assert len(result) == 6
    assert client.scheduler_info()["workers"], "the executor did not shut down a cluster it did not start"


def test_a_failed_node_setup_is_named_the_same_by_every_worker_of_the_node() -> None:
    """The worker that ran setup_on_node and the ones that waited for it report the same error first."""
    from curator_dask.backends.dask.setup import NodeSetupFailed, forget_run, run_once_per_node

    def boom() -> None:
        raise ValueError("the weights are missing\non this node")

    run_id = f"test-{uuid.uuid4().hex}"
    try:
        with pytest.raises(ValueError, match="the weights are missing"):
            run_once_per_node(run_id, "000", "node-a", boom)
        expected = (
            r"^ValueError: the weights are missing on this node \(setup_on_node ran in another worker of node "
            r"'node-a'; its traceback:\)\nTraceback"
        )
        with pytest.raises(NodeSetupFailed, match=expected):
            run_once_per_node(run_id, "000", "node-a", lambda: None)
    finally:
        forget_run(run_id)
