"""Whole-collection stages: the executor lifts the batch stream into a dask dataframe and back."""

from __future__ import annotations

from collections import Counter

import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.collection import CollectionStage
from tests.backends.dask.pipeline_parts import AddLength, MakeBatches, read_log


class DropDuplicateTexts(CollectionStage):
    name = "drop_duplicate_texts"

    def __init__(self, split_out: int) -> None:
        self.split_out = split_out

    def process_collection(self, frames):
        return frames.drop_duplicates(subset=["text"], split_out=self.split_out, shuffle_method="tasks")


@pytest.mark.parametrize("split_out", [1, 3])
def test_collection_stage_between_partition_stages(client, tmp_path, split_out):
    calls = tmp_path / "calls.log"
    stages = [MakeBatches(10, rows=3), DropDuplicateTexts(split_out), AddLength("n", str(calls))]
    result = Pipeline("collection", stages=stages).run(DaskExecutor(client=client))
    texts = [t for task in result for t in task.data["text"]]
    assert sorted(texts) == sorted({"x" * (b + r) for b in range(10) for r in range(3)})  # 12 distinct
    assert len(result) == split_out
    assert Counter(read_log(calls)) == {"add_length_n": split_out}  # later stages run per partition
    for task in result:
        assert task.task_id.startswith("r")
        assert [p.stage_name for p in task._stage_perf] == ["drop_duplicate_texts", "add_length"]
    summary = {s.name: s for s in result.stages}["drop_duplicate_texts"]
    assert (summary.items_in, summary.tasks_in, summary.tasks_out) == (30, 10, split_out)


def test_collection_output_ids_are_stable_across_runs(client):
    """A recomputed partition must keep its id (writers name files after it)."""
    stages = [MakeBatches(6, rows=2), DropDuplicateTexts(2)]
    first = sorted(t.task_id for t in Pipeline("a", stages=stages).run(DaskExecutor(client=client)))
    again = sorted(t.task_id for t in Pipeline("a", stages=stages).run(DaskExecutor(client=client)))
    assert first == again and all(len(i) == 33 and i.startswith("r") for i in first)


def test_collection_stage_as_the_last_stage(client):
    result = Pipeline("last", stages=[MakeBatches(4, rows=2), DropDuplicateTexts(2)]).run(DaskExecutor(client=client))
    assert sum(t.num_items for t in result) == 5  # lengths 0..4
