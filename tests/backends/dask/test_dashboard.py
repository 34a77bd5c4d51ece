"""What Dask's dashboard shows of a run: task groups named after the fused stages, and a link that answers."""

from __future__ import annotations

import logging
import urllib.request

import pytest
from dask.utils import key_split
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.backends.dask.attempts import chain_key, chain_label, stage_of_key
from curator_dask.core.cluster import NO_BOKEH, ClusterHandle, ClusterSpec, connect, scheduler_has_bokeh
from curator_dask.pipeline import Pipeline
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch
from tests.backends.dask.pipeline_parts import AddLength, MakeBatches, read_log, record


@pytest.mark.parametrize(
    ("names", "group"),
    [
        (["jsonl_reader", "word_count", "jsonl_writer"], "jsonl_reader+word_count+jsonl_writer"),
        (["exact-dedup", "stage-2"], "exact_dedup+stage_2"),  # "-" would cut the group at "exact"
        (["WordCount Filter"], "WordCount Filter"),
    ],
)
def test_key_split_of_a_chain_key_is_its_fused_stages(names: list[str], group: str) -> None:
    label = chain_label(names)
    # run ids and tokens of letters only (hex can be) must not join the group's name
    for run_id, token in [("abcdefabcd", "abcdefabcdef"), ("0123456789", "9f8e7d6c5b4a")]:
        key = chain_key(label, run_id, token)
        assert key_split(key) == group
        assert stage_of_key(key) == label


class ReadTaskGroups(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Records the scheduler's task-group names (the dashboard's Task Groups and Progress bars)."""

    name = "read_groups"

    def __init__(self, log: str) -> None:
        self.log = log

    def process(self, task: DocumentBatch) -> DocumentBatch:
        from distributed import get_client

        groups = get_client().run_on_scheduler(_task_groups)
        record(self.log, "|".join(sorted(groups)))
        return task


def _task_groups(dask_scheduler) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(name) for name in dask_scheduler.task_groups]


def test_the_dashboard_groups_a_run_per_fused_chain(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "groups.log"
    stages = [MakeBatches(6), AddLength("n", str(tmp_path / "calls.log")), ReadTaskGroups(str(log))]
    Pipeline("groups", stages=stages).run(DaskExecutor(client=client, config={"progress": False}))
    seen = {group for line in read_log(log) for group in line.split("|")}
    # the source's chain, then one group for the six chains that fan out of it
    assert "add_length+read_groups" in seen
    assert not any(group.startswith(("add_length/", "read_groups/")) for group in seen)


@pytest.fixture()
def dashboard_cluster():  # type: ignore[no-untyped-def]
    """A one-thread-worker cluster in this process that serves a dashboard on a free port."""
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as lc, Client(lc) as c:
        yield c


def test_the_link_is_printed_only_where_it_answers(dashboard_cluster, caplog) -> None:  # type: ignore[no-untyped-def]
    handle = ClusterHandle(dashboard_cluster)
    served = handle.served_dashboard_link
    assert served and served.endswith("/status")
    with urllib.request.urlopen(served, timeout=10) as answer:
        page = answer.read()
    with caplog.at_level(logging.INFO, logger="curator_dask.core.cluster"):
        spec = ClusterSpec(kind="address", address=dashboard_cluster.scheduler.address, report_versions=False)
        joined = connect(spec)
    joined.close()
    if scheduler_has_bokeh(dashboard_cluster):
        assert handle.dashboard_link == served
        assert b"Dask needs bokeh" not in page
        assert f"Dask dashboard: {served}" in caplog.messages
    else:  # the scheduler answers there, but only to ask for bokeh: no link, and how to get one
        assert b"Dask needs bokeh" in page
        assert handle.dashboard_link is None
        assert NO_BOKEH in caplog.messages
        assert not any(m.startswith("Dask dashboard:") for m in caplog.messages)
        assert "pip install 'bokeh>=3.1'" in NO_BOKEH
