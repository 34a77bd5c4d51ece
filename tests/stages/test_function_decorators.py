"""``processing_stage``: a one-argument function becomes a stage instance."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from curator_dask.backends.dask.plan import batch_size_of
from curator_dask.stages import ProcessingStage, Resources, processing_stage
from curator_dask.tasks import DocumentBatch


def _batch(*texts: str) -> DocumentBatch:
    return DocumentBatch(dataset_name="docs", data=pd.DataFrame({"text": list(texts)}))


@processing_stage(name="word_count", resources=Resources(cpus=2.0), batch_size=4)
def word_count(batch: DocumentBatch) -> DocumentBatch:
    batch.data["words"] = batch.data["text"].str.split().str.len()
    return batch


def test_decorator_returns_a_configured_stage_instance() -> None:
    assert isinstance(word_count, ProcessingStage)
    assert (word_count.name, word_count.resources, word_count.batch_size) == ("word_count", Resources(cpus=2.0), 4)
    assert word_count.supports_batch_processing() is False


def test_stage_calls_the_function() -> None:
    out = word_count.process(_batch("a b", "c"))
    assert isinstance(out, DocumentBatch)
    assert out.to_pandas()["words"].tolist() == [2, 1]


def test_defaults_and_resources_given_as_a_dict() -> None:
    @processing_stage(name="noop", resources={"cpus": 0.5})
    def noop(task: DocumentBatch) -> DocumentBatch:
        return task

    assert noop.resources == Resources(cpus=0.5)
    assert noop.batch_size is None and batch_size_of(noop) == 1  # NeMo's default; the executor gives one task

    @processing_stage(name="plain")
    def plain(task: DocumentBatch) -> DocumentBatch:
        return task

    assert plain.resources == Resources()


def test_new_output_tasks_inherit_metadata_and_performance_history() -> None:
    @processing_stage(name="split")
    def split(task: DocumentBatch) -> list[DocumentBatch]:
        return [DocumentBatch(dataset_name="docs", data=task.to_pandas().iloc[[i]]) for i in range(task.num_items)]

    parent = _batch("a", "b")
    parent._metadata["source_files"] = ["x.jsonl"]
    children = split.process_batch([parent])
    assert len(children) == 2
    for child in children:
        assert child is not None
        assert child._metadata == {"source_files": ["x.jsonl"]}
        assert child._metadata is not parent._metadata


def test_returning_none_filters() -> None:
    @processing_stage(name="drop")
    def drop(task: DocumentBatch) -> None:
        return None

    assert drop.process_batch([_batch("a")]) == [None]


def _no_arguments() -> None:
    return None


def _two_arguments(task: DocumentBatch, extra: int) -> None:
    return None


@pytest.mark.parametrize("fn", [_no_arguments, _two_arguments])
def test_function_must_take_exactly_one_argument(fn: Callable[..., None]) -> None:
    with pytest.raises(ValueError, match="exactly one argument"):
        processing_stage(name="bad")(fn)


def test_with_works_on_a_function_stage() -> None:
    renamed = word_count.with_(name="wc2", batch_size=8)
    assert (renamed.name, renamed.batch_size) == ("wc2", 8)
    assert (word_count.name, word_count.batch_size) == ("word_count", 4)
    out = renamed.process(_batch("x y z"))
    assert isinstance(out, DocumentBatch)
    assert out.to_pandas()["words"].tolist() == [3]


def test_function_stages_are_registered_by_name_and_travel_as_dask_sends_them() -> None:
    import cloudpickle as pickle  # what Dask ships stages with

    from curator_dask.stages.base import get_stage_class

    cls = get_stage_class("word_count")
    assert type(word_count) is cls and issubclass(cls, ProcessingStage)
    clone = pickle.loads(pickle.dumps(word_count.with_(batch_size=2)))
    assert type(clone) is cls and (clone.name, clone.batch_size) == ("word_count", 2)
    out = clone.process(_batch("a b c"))
    assert isinstance(out, DocumentBatch)
    assert out.to_pandas()["words"].tolist() == [3]
