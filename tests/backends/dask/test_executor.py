"""DaskExecutor behaviour on the session LocalCluster: errors, resources, batching, clients."""

from __future__ import annotations

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import PipelineError, ResourceError, StageError, StageSetupError
from curator_dask.pipeline import Pipeline
from curator_dask.stages import ProcessingStage, Resources
from curator_dask.tasks import DocumentBatch, Task
from tests.backends.dask.pipeline_parts import Boom, MakeBatches, SetupBoom, Slow, read_log


class BatchRecorder(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Records the size of every batch it is given (in a file: batches run in worker processes)."""

    name = "batch_recorder"

    def __init__(self, log: str, batch_size: int | None) -> None:
        self.log = log
        self.batch_size = batch_size

    def process_batch(self, tasks: list[Task]) -> list[Task]:
        from tests.backends.dask.pipeline_parts import record

        record(self.log, str(len(tasks)))
        return tasks

    def process(self, task: Task) -> Task:
        return task


def test_stage_error_names_stage_task_and_worker(client):
    with pytest.raises(StageError) as info:
        Pipeline("boom", stages=[MakeBatches(6), Boom({"3-0"})]).run(DaskExecutor(client=client))
    error = info.value
    assert error.stage_name == "boom"
    assert error.task_ids == ("0_3",)
    assert error.worker in client.scheduler_info()["workers"]
    assert "Stage 'boom' failed on task 0_3 on worker tcp://" in str(error)
    assert "cannot handle documents ['3-0']" in str(error)
    assert "Original traceback" in str(error) and "pipeline_parts.py" in str(error)


def test_failure_policy_continue_records_and_goes_on(client):
    result = Pipeline("boom", stages=[MakeBatches(6), Boom({"3-0", "5-1"})]).run(
        DaskExecutor(client=client, config={"failure_policy": "continue"})
    )
    assert len(result) == 4
    assert result.num_failed == 2
    assert sorted(f.task_ids for f in result.failures) == [("0_3",), ("0_5",)]
    assert all(f.stage_name == "boom" and "ValueError" in f.error for f in result.failures)


@pytest.mark.parametrize("where", ["setup", "setup_on_node"])
def test_setup_error_is_a_clear_error_not_a_hang(client, where):
    with pytest.raises(StageSetupError, match="Setting up stage 'setup_boom' failed on worker tcp://"):
        Pipeline("setup", stages=[MakeBatches(2), SetupBoom(where)]).run(DaskExecutor(client=client))
    # the cluster stays usable afterwards: the failed stage's plugin was removed
    assert len(Pipeline("after", stages=[MakeBatches(3)]).run(DaskExecutor(client=client))) == 3
    assert not [
        p for w in client.run(lambda dask_worker: list(dask_worker.plugins)).values() for p in w if "curator-" in p
    ]


def test_gpu_stage_on_cpu_cluster_fails_before_any_work(client, tmp_path):
    log = tmp_path / "slow.log"
    gpu_stage = Slow(0.0, str(log)).with_(resources=Resources(gpus=1))
    with pytest.raises(ResourceError, match=r"Stage 'slow' needs \{'GPU': 1.0\}.*no worker offers it"):
        Pipeline("gpu", stages=[MakeBatches(2), gpu_stage]).run(DaskExecutor(client=client))
    assert read_log(log) == []  # nothing ran, not even setup


def test_user_client_is_left_running(client):
    Pipeline("client", stages=[MakeBatches(2)]).run(DaskExecutor(client=client))
    assert client.status == "running"
    assert len(client.scheduler_info()["workers"]) == 2


@pytest.mark.parametrize(("batch_size", "expected"), [(None, [1] * 7), (1, [1] * 7), (3, [3, 3, 1])])
def test_batches_hold_at_most_batch_size_tasks(client, tmp_path, batch_size, expected):
    log = tmp_path / "batches.log"
    result = Pipeline("batches", stages=[MakeBatches(7), BatchRecorder(str(log), batch_size)]).run(
        DaskExecutor(client=client)
    )
    assert len(result) == 7
    assert sorted(map(int, read_log(log)), reverse=True) == expected


def test_empty_batches_flow_on(client):
    class Empty(ProcessingStage[DocumentBatch, DocumentBatch]):
        name = "empty"

        def process(self, task: DocumentBatch) -> DocumentBatch:
            return DocumentBatch(dataset_name=task.dataset_name, data=pd.DataFrame({"text": []}))

    result = Pipeline("empty", stages=[MakeBatches(3), Empty()]).run(DaskExecutor(client=client))
    assert [t.num_items for t in result] == [0, 0, 0]


def test_unpicklable_stage_fails_before_any_work(client):
    class Holder(ProcessingStage[Task, Task]):
        name = "holder"

        def __init__(self) -> None:
            self.lock = __import__("threading").Lock()

        def process(self, task: Task) -> Task:
            return task

    with pytest.raises(PipelineError, match=r"Stage 'holder' cannot be pickled.*setup\(\)"):
        Pipeline("pickle", stages=[MakeBatches(1), Holder()]).run(DaskExecutor(client=client))


def test_unknown_config_key_is_rejected():
    with pytest.raises(ValueError, match="Unknown DaskExecutor config keys \\['retries'\\]"):
        DaskExecutor(config={"retries": 3})


def test_default_executor_starts_and_stops_its_own_cluster():
    executor = DaskExecutor(
        cluster=__import__("curator_dask.core", fromlist=["ClusterSpec"]).ClusterSpec(
            kind="local", n_workers=1, dashboard_address=None
        )
    )
    result = Pipeline("own", stages=[MakeBatches(2)]).run(executor)
    assert len(result) == 2


def test_stages_stream_instead_of_running_one_after_another(client, tmp_path):
    log = tmp_path / "both.log"
    stages = [MakeBatches(8), Slow(0.05, str(log)).with_(name="first"), Slow(0.05, str(log)).with_(name="second")]
    Pipeline("stream", stages=stages).run(DaskExecutor(client=client))
    events = [line.split()[-1] for line in read_log(log) if line.startswith("batch")]
    assert sorted(events) == ["first"] * 8 + ["second"] * 8
    # the second stage ran on early batches before the first stage had finished the last ones
    assert events.index("second") < len(events) - 1 - events[::-1].index("first")


def test_in_flight_chains_are_bounded(client, tmp_path):
    log = tmp_path / "inflight.log"

    class CountScheduledChains(ProcessingStage[DocumentBatch, DocumentBatch]):
        name = "count_chains"

        def process(self, task: DocumentBatch) -> DocumentBatch:
            from distributed import get_client

            from tests.backends.dask.pipeline_parts import record

            keys = get_client().run_on_scheduler(_chain_keys)
            record(str(log), str(keys))
            return task

    result = Pipeline("bounded", stages=[MakeBatches(30), CountScheduledChains()]).run(
        DaskExecutor(client=client, config={"max_in_flight": 3})
    )
    assert len(result) == 30
    assert max(int(n) for n in read_log(log)) <= 3


def _chain_keys(dask_scheduler) -> int:
    """Chains of the count_chains stage the scheduler holds that have not finished yet."""
    waiting = ("processing", "waiting", "queued", "no-worker")
    keys = [key for key, ts in dask_scheduler.tasks.items() if ts.state in waiting]
    return sum(1 for key in keys if str(key).startswith("count_chains-"))
