"""Planning is pure: stage profiles, chain plans, batch cuts and the resource check, with no cluster."""

from __future__ import annotations

import pytest

from curator_dask.backends.dask.plan import (
    StageProfile,
    batch_size_of,
    check_resources,
    plan_chains,
    profile_stages,
    split_points,
)
from curator_dask.errors import PipelineError, ResourceError
from curator_dask.stages import ProcessingStage, Resources
from curator_dask.stages.collection import CollectionStage
from curator_dask.tasks import DocumentBatch


class Same(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Returns one task per task: never fans out."""

    def __init__(self, name: str, batch_size: int | None = 1, gpus: float = 0.0) -> None:
        self.name = name
        self.batch_size = batch_size
        self.resources = Resources(gpus=gpus) if gpus else Resources()

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


class Many(Same):
    def process(self, task: DocumentBatch) -> list[DocumentBatch]:
        return [task, task]


class Batched(Same):
    def process_batch(self, tasks: list[DocumentBatch]) -> list[DocumentBatch | None]:
        return list(tasks)


class Everything(CollectionStage):
    name = "everything"

    def process_collection(self, frames):  # type: ignore[no-untyped-def]
        return frames


def _profiles(*stages: ProcessingStage) -> list[StageProfile]:
    return profile_stages(stages, [ProcessingStage] * len(stages))


def test_profiles_say_what_each_stage_needs() -> None:
    a, b, c, d = _profiles(Same("a", None), Many("b", 4), Batched("c", gpus=1), Everything())
    assert (a.batch_size, a.may_fan_out, a.resources) == (1, False, None)
    assert (b.batch_size, b.may_fan_out) == (4, True)
    assert (c.may_fan_out, c.resources, c.gpus) == (True, {"GPU": 1.0}, 1.0)
    assert d.is_collection and not a.is_collection


def test_chains_fuse_stages_with_equal_resources_and_stop_at_gpu_and_collection_stages() -> None:
    plans = plan_chains(_profiles(Same("a"), Same("b"), Same("g", gpus=1), Same("h", gpus=1), Everything(), Same("z")))
    assert [p.stop for p in plans] == [2, 2, 4, 4, 5, 6]
    assert not plans[0].may_split  # nothing in a..b fans out or takes smaller batches


def test_a_chain_may_split_after_a_fan_out_or_before_smaller_batches() -> None:
    fan = plan_chains(_profiles(Many("a"), Same("b")))
    assert fan[0].may_split and not fan[1].may_split
    smaller = plan_chains(_profiles(Same("a", 8), Same("b", 2)))
    assert smaller[0].may_split
    larger = plan_chains(_profiles(Same("a", 2), Same("b", 8)))
    assert not larger[0].may_split


def test_split_points_cut_batches() -> None:
    assert split_points(7, 3) == [(0, 3), (3, 6), (6, 7)]
    assert split_points(0, 3) == []


@pytest.mark.parametrize("size", [0, -1, 2.5, "4", True])
def test_a_bad_batch_size_names_the_stage(size: object) -> None:
    stage = Same("tokenize")
    stage.batch_size = size  # type: ignore[assignment]
    with pytest.raises(PipelineError, match=rf"Stage 'tokenize' has batch_size={size!r}; it must be a positive int"):
        batch_size_of(stage)


def test_a_gpu_stage_on_cpu_workers_is_refused_with_the_fix() -> None:
    profiles = _profiles(Same("cpu"), Same("embed", gpus=1))
    check_resources(profiles, {"tcp://w1": {"GPU": 1.0}})
    refused = r"Stage 'embed' needs \{'GPU': 1.0\}.*no worker offers it.*dask cuda worker"
    with pytest.raises(ResourceError, match=refused):
        check_resources(profiles, {"tcp://w1": {}, "tcp://w2": {"CPU": 4}})
