"""One worker plugin sets a whole run up: every stage in order, teardown of all that were set up,
per-stage errors; and the driver's latency work (spread small splits, prompt sends, no needless
node elections, the workers' import check asked once per client)."""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter

import pytest

from curator_dask.backends.dask import DaskExecutor, shipping
from curator_dask.backends.dask.adapter import DaskStageAdapter
from curator_dask.backends.dask.driver import SEND_INTERVAL_S, prompt_sends
from curator_dask.backends.dask.setup import RunSetupPlugin, StageSetup, elections_root, forget_run
from curator_dask.errors import StageSetupError
from curator_dask.pipeline import Pipeline
from tests.backends.dask.pipeline_parts import MakeBatches, SetupBoom, Slow, StageWithSetup, read_log
from tests.backends.dask.setup_parts import ElectionSnoop, PluginNames


def _run(client, stages):
    return Pipeline("run_setup", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))


def _curator_plugins(client) -> set[str]:
    """The curator_dask plugins on the workers (drivers killed by other tests leave theirs behind)."""
    return {p for w in client.run(lambda dask_worker: list(dask_worker.plugins)).values() for p in w if "curator-" in p}


def test_one_plugin_sets_every_stage_up_and_tears_every_one_down(client, tmp_path):
    log = tmp_path / "events.log"
    before = _curator_plugins(client)
    stages = [MakeBatches(4), PluginNames(str(log)).with_(name="first"), PluginNames(str(log)).with_(name="second")]
    assert len(_run(client, stages)) == 4
    events = read_log(log)
    workers = set(client.scheduler_info()["workers"])
    setups = Counter(tuple(e.split()[1:]) for e in events if e.startswith("setup "))
    assert setups == {(s, w): 1 for s in ("first", "second") for w in workers}
    during = {frozenset(e.split()[2].split(",")) - before for e in events if e.startswith("batch ")}
    assert len(during) == 1 and len(next(iter(during))) == 1, "one plugin for the whole run"
    teardowns = Counter(tuple(e.split()[1:]) for e in events if e.startswith("teardown "))
    assert teardowns == {(s, w): 1 for s in ("first", "second") for w in workers}
    assert _curator_plugins(client) == before


def test_a_later_stage_failing_setup_still_tears_the_earlier_ones_down(client, tmp_path):
    log = tmp_path / "slow.log"
    before = _curator_plugins(client)
    with pytest.raises(StageSetupError, match=r"^Setting up stage 'setup_boom' failed on worker tcp://\S+ \(node "):
        _run(client, [MakeBatches(2), Slow(0.0, str(log)), SetupBoom("setup")])
    events = read_log(log)
    set_up = Counter(e.split()[1] for e in events if e.startswith("setup "))
    assert set_up == dict.fromkeys(client.scheduler_info()["workers"], 1)
    assert Counter(e.split()[1] for e in events if e.startswith("teardown ")) == set_up
    assert not [e for e in events if e.startswith("batch ")]
    assert _curator_plugins(client) == before


async def _set_up_then_ask(dask_worker, plugin: RunSetupPlugin, index: int) -> str:
    with contextlib.suppress(StageSetupError):
        await plugin.setup(dask_worker)
    try:
        plugin.adapter_for(dask_worker, index)
    except StageSetupError as e:
        return str(e)
    return "set up"


def test_a_stage_after_one_whose_setup_failed_names_that_stage(client, tmp_path):
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    stages = [SetupBoom("setup"), Slow(0.0, str(tmp_path / "slow.log"))]
    plugin = RunSetupPlugin([StageSetup(s, run_id, i, DaskStageAdapter, 30) for i, s in enumerate(stages)], run_id)
    try:
        answers = client.run(_set_up_then_ask, plugin=plugin, index=1)
        failed_itself = client.run(_set_up_then_ask, plugin=plugin, index=0)
    finally:
        client.run(forget_run, run_id)
    for worker, message in answers.items():
        assert message.startswith(
            f"Stage 'slow' cannot run on worker {worker}: the setup of stage 'setup_boom' failed there.\n"
        )
        assert "RuntimeError: model weights missing" in message
    for worker, message in failed_itself.items():
        assert message.startswith(f"Stage 'setup_boom' cannot run on worker {worker}: its setup failed there.\n")
    assert read_log(tmp_path / "slow.log") == []  # the stage after the failed one was never set up


def test_a_small_split_runs_on_every_worker(client, tmp_path):
    log = tmp_path / "slow.log"
    assert len(_run(client, [MakeBatches(4), Slow(0.0, str(log))])) == 4
    ran_on = Counter(e.split()[1] for e in read_log(log) if e.startswith("batch "))
    assert ran_on == dict.fromkeys(client.scheduler_info()["workers"], 2)


def test_node_elections_are_held_only_for_a_setup_on_node_and_leave_no_files(client, tmp_path):
    log = tmp_path / "events.log"
    _run(client, [MakeBatches(2), ElectionSnoop(str(log))])
    (run_id, held), *_ = (e.split() for e in read_log(log))
    assert held == "False", "no stage has a setup_on_node: no election, no files"
    log.unlink()
    _run(client, [MakeBatches(2), StageWithSetup(str(tmp_path), str(tmp_path / "setup.log")), ElectionSnoop(str(log))])
    (run_id, held), *_ = (e.split() for e in read_log(log))
    assert held == "True"
    assert not (elections_root() / run_id).exists(), "teardown removed the run's election files"


def test_the_client_sends_promptly_during_a_run_and_as_before_after_it(client):
    interval = client.scheduler_comm.interval
    assert interval > SEND_INTERVAL_S
    with prompt_sends(client):
        assert client.scheduler_comm.interval == SEND_INTERVAL_S
    assert client.scheduler_comm.interval == interval
    _run(client, [MakeBatches(1)])
    assert client.scheduler_comm.interval == interval


def test_the_workers_import_check_is_asked_again_only_for_workers_it_did_not_ask(client):
    names = ("pandas",)
    assert shipping._missing_on_workers(client, names) == frozenset()
    answer = shipping._ANSWERS[client]
    assert answer.workers == set(client.scheduler_info()["workers"])
    assert shipping._missing_on_workers(client, names) == frozenset() and shipping._ANSWERS[client] is answer
    shipping.workers_seen(client, answer.workers)
    assert shipping._ANSWERS[client] is answer
    shipping.workers_seen(client, [*answer.workers, "tcp://192.0.2.1:1234"])  # a worker it did not ask
    assert client not in shipping._ANSWERS
