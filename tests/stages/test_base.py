"""``ProcessingStage`` and ``CompositeStage``: with_, class checks, registry, validation, metrics."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from curator_dask.stages import CompositeStage, ProcessingStage, Resources, get_stage_class
from curator_dask.stages.base import StageInputSpec, StageMeta
from curator_dask.tasks import DocumentBatch, FileGroupTask, Task


class Identity(ProcessingStage[Task, Task]):
    name = "identity"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def process(self, task: Task) -> Task:
        return task


class NeedsText(ProcessingStage[DocumentBatch, DocumentBatch]):
    name = "needs_text"

    def inputs(self) -> StageInputSpec:
        return ["dataset_name"], ["text"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


class NeedsMissingAttribute(Identity):
    name = "needs_missing_attribute"

    def inputs(self) -> StageInputSpec:
        return ["no_such_attribute"], []


@dataclass(repr=False)
class ScoredBatch(DocumentBatch):
    """A DocumentBatch subclass: the DocumentBatch spec applies to it via the MRO."""


class PerType(ProcessingStage[Task, Task]):
    name = "per_type"

    def inputs(self) -> dict[type[Task], StageInputSpec]:
        return {DocumentBatch: ([], ["text"]), Task: (["dataset_name"], [])}

    def process(self, task: Task) -> Task:
        return task


class DocumentsOnly(PerType):
    name = "documents_only"

    def inputs(self) -> dict[type[Task], StageInputSpec]:
        return {DocumentBatch: ([], ["text"])}


class Splitter(ProcessingStage[DocumentBatch, DocumentBatch]):
    """One batch in, one single-row batch per row out; an empty batch is filtered (None)."""

    name = "splitter"

    def process(self, task: DocumentBatch) -> list[DocumentBatch] | None:
        df = task.to_pandas()
        if df.empty:
            return None
        return [DocumentBatch(dataset_name=task.dataset_name, data=df.iloc[[i]]) for i in range(len(df))]


class Vectorised(Identity):
    name = "vectorised"

    def process_batch(self, tasks: list[Task]) -> list[Task | None]:
        return list(tasks)


def _docs(**columns: list[Any]) -> DocumentBatch:
    return DocumentBatch(dataset_name="docs", data=pd.DataFrame(columns or {"text": ["a"]}))


# -- with_ ---------------------------------------------------------------------------------------
WITH_CASES: list[tuple[str, Any]] = [
    ("name", "renamed"),
    ("resources", Resources(cpus=3.0)),
    ("batch_size", 16),
]


@pytest.mark.parametrize(("attr", "value"), WITH_CASES)
def test_with_returns_a_changed_copy_and_leaves_the_original(attr: str, value: Any) -> None:
    stage = Identity()
    before = getattr(stage, attr)
    new = stage.with_(**{attr: value})
    assert new is not stage
    assert type(new) is Identity
    assert getattr(new, attr) == value
    assert getattr(stage, attr) == before
    assert attr not in stage.__dict__  # the class default was not shadowed on the original


def test_with_num_workers_overrides_and_none_resets() -> None:
    stage = Identity()
    four = stage.with_(num_workers=4)
    assert four.num_workers() == 4
    assert four.with_(num_workers=None).num_workers() is None
    assert four.with_(name="kept").num_workers() == 4  # omitted means unchanged
    assert stage.num_workers() is None


def test_with_none_leaves_name_resources_and_batch_size_unchanged() -> None:
    stage = Identity().with_(name="a", batch_size=4, resources=Resources(cpus=2.0))
    same = stage.with_(name=None, resources=None, batch_size=None)
    assert (same.name, same.batch_size, same.resources) == ("a", 4, Resources(cpus=2.0))


def test_with_is_a_deep_copy() -> None:
    stage = Identity()
    new = stage.with_(name="copy")
    assert isinstance(new, Identity)
    new.seen.append("x")
    assert stage.seen == []


@pytest.mark.parametrize("batch_size", [0, -1, 1.5])
def test_with_rejects_a_bad_batch_size(batch_size: Any) -> None:
    with pytest.raises(ValueError, match="positive int"):
        Identity().with_(batch_size=batch_size)


def test_with_rejects_resources_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="takes a Resources"):
        Identity().with_(resources={"cpus": 2.0})  # type: ignore[arg-type]


def test_with_from_many_threads_never_mutates_the_shared_stage() -> None:
    stage = Identity()
    original = (stage.name, stage.resources, stage.batch_size, stage.num_workers())

    def configure(i: int) -> tuple[int, ProcessingStage]:
        return i, stage.with_(name=f"s{i}", resources=Resources(cpus=float(i)), batch_size=i + 1, num_workers=i)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(configure, range(8 * 50)))

    assert (stage.name, stage.resources, stage.batch_size, stage.num_workers()) == original
    assert len({id(copy) for _, copy in results}) == len(results)
    for i, copy in results:
        assert (copy.name, copy.resources.cpus, copy.batch_size, copy.num_workers()) == (f"s{i}", float(i), i + 1, i)


# -- class creation and the registry -------------------------------------------------------------
@pytest.mark.parametrize("attr", ["name", "resources", "batch_size"])
def test_property_attribute_is_rejected_at_class_creation(attr: str) -> None:
    namespace = {attr: property(lambda self: None), "process": lambda self, task: task}
    with pytest.raises(TypeError, match=f"must not define {attr!r} as a @property"):
        StageMeta("BadStage", (ProcessingStage,), namespace)


def test_concrete_stages_are_registered_by_class_name() -> None:
    class RegistryProbeStage(Identity):  # a name no other test module uses
        name = "registry_probe"

    assert get_stage_class("RegistryProbeStage") is RegistryProbeStage


def test_abstract_stages_are_not_registered() -> None:
    class StillAbstract(ProcessingStage[Task, Task]):
        name = "still_abstract"

    for name in ("StillAbstract", "ProcessingStage", "CompositeStage"):
        with pytest.raises(KeyError, match="No stage class named"):
            get_stage_class(name)


# -- supports_batch_processing and get_config ----------------------------------------------------
@pytest.mark.parametrize(("stage", "expected"), [(Identity(), False), (Vectorised(), True)])
def test_supports_batch_processing(stage: ProcessingStage, expected: bool) -> None:
    assert stage.supports_batch_processing() is expected


def test_get_config() -> None:
    stage = Vectorised().with_(name="v", batch_size=8, resources=Resources(cpus=2.0))
    assert stage.get_config() == {
        "name": "v",
        "resources": Resources(cpus=2.0),
        "batch_size": 8,
        "supports_batch_processing": True,
    }


def test_defaults() -> None:
    stage = Identity()
    assert (stage.batch_size, stage.resources, stage.num_workers()) == (1, Resources(cpus=1.0), None)
    assert not stage.is_source_stage
    assert not stage.is_sink_stage
    assert stage.inputs() == ([], [])
    assert stage.outputs() == ([], [])


# -- input validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [pd.DataFrame, pa.table])
def test_tuple_spec_accepts_a_task_with_the_required_columns(payload: Any) -> None:
    task = DocumentBatch(dataset_name="docs", data=payload({"text": ["a"], "id": [1]}))
    assert NeedsText().validate_input(task) is True


@pytest.mark.parametrize("payload", [pd.DataFrame, pa.table])
def test_tuple_spec_rejects_a_missing_column(payload: Any) -> None:
    task = DocumentBatch(dataset_name="docs", data=payload({"body": ["a"]}))
    assert NeedsText().validate_input(task) is False


def test_tuple_spec_rejects_a_missing_attribute() -> None:
    assert NeedsMissingAttribute().validate_input(_docs()) is False


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (_docs(text=["a"]), True),
        (_docs(body=["a"]), False),  # the DocumentBatch spec wins over the Task spec
        (ScoredBatch(dataset_name="docs", data=pd.DataFrame({"body": ["a"]})), False),  # inherited via MRO
        (ScoredBatch(dataset_name="docs", data=pd.DataFrame({"text": ["a"]})), True),
        (FileGroupTask(dataset_name="docs", data=["a.jsonl"]), True),  # falls back to the Task spec
    ],
)
def test_dict_spec_most_specific_task_type_wins(task: Task, expected: bool) -> None:
    assert PerType().validate_input(task) is expected


def test_input_spec_for_task_picks_the_mro_entry() -> None:
    assert PerType().input_spec_for_task(ScoredBatch(dataset_name="d")) == ([], ["text"])
    assert PerType().input_spec_for_task(FileGroupTask(dataset_name="d", data=["x"])) == (["dataset_name"], [])


def test_unsupported_task_type_is_invalid_and_the_error_names_the_types() -> None:
    stage, task = DocumentsOnly(), FileGroupTask(dataset_name="d", data=["x"])
    assert stage.validate_input(task) is False
    with pytest.raises(TypeError, match="does not support input task type FileGroupTask; it takes: DocumentBatch"):
        stage.input_spec_for_task(task)


@pytest.mark.parametrize("spec", [["a", "b"], ("only_one",), {DocumentBatch: [[], []]}])
def test_malformed_inputs_spec_raises_type_error(spec: Any) -> None:
    class Malformed(Identity):
        name = "malformed"

        def inputs(self) -> Any:
            return spec

    with pytest.raises(TypeError, match="must"):
        Malformed().input_spec_for_task(_docs())


def test_default_process_batch_raises_value_error_naming_the_stage() -> None:
    with pytest.raises(ValueError, match=r"stage 'needs_text'.*missing columns \['text'\]"):
        NeedsText().process_batch([_docs(text=["a"]), _docs(body=["b"])])


def test_default_process_batch_flattens_lists_and_keeps_none_slots() -> None:
    inputs = [_docs(text=["a", "b"]), _docs(text=[]), _docs(text=["c"])]
    out = Splitter().process_batch(inputs)
    assert [None if t is None else t.to_pandas()["text"].tolist() for t in out] == [["a"], ["b"], None, ["c"]]


# -- custom metrics ------------------------------------------------------------------------------
def test_custom_metrics_are_collected_then_consumed() -> None:
    stage = Identity()
    stage._log_metric("rows", 3)
    stage._log_metrics({"bytes": 10.5, "rows": 4})
    with stage._time_metric("load_s"):
        pass
    metrics = stage._consume_custom_metrics()
    assert metrics.keys() == {"rows", "bytes", "load_s"}
    assert (metrics["rows"], metrics["bytes"]) == (4.0, 10.5)
    assert metrics["load_s"] >= 0.0
    assert stage._consume_custom_metrics() == {}


def test_time_metric_is_logged_even_when_the_block_raises() -> None:
    stage = Identity()
    with pytest.raises(RuntimeError), stage._time_metric("failing_s"):
        raise RuntimeError("boom")
    assert "failing_s" in stage._consume_custom_metrics()


@pytest.mark.parametrize("value", ["3", None, True])
def test_non_numeric_metric_raises_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="must be a number"):
        Identity()._log_metric("bad", value)


# -- CompositeStage ------------------------------------------------------------------------------
class First(Identity):
    name = "first"

    def inputs(self) -> StageInputSpec:
        return ["dataset_name"], ["text"]


class Last(Identity):
    name = "last"

    def outputs(self) -> StageInputSpec:
        return [], ["score"]


class Pair(CompositeStage[Task, Task]):
    name = "pair"

    def __init__(self, duplicate_names: bool = False) -> None:
        self.duplicate_names = duplicate_names

    def decompose(self) -> list[ProcessingStage]:
        return [First(), First()] if self.duplicate_names else [First(), Last()]


def test_composite_inputs_and_outputs_come_from_first_and_last_sub_stage() -> None:
    assert Pair().inputs() == (["dataset_name"], ["text"])
    assert Pair().outputs() == ([], ["score"])


def test_composite_with_records_overrides_applied_at_decomposition() -> None:
    composite = Pair()
    configured = composite.with_({"last": {"batch_size": 8, "name": "scorer"}}).with_({"first": {"num_workers": 2}})
    first, last = configured.decompose_and_apply_with()
    assert (last.name, last.batch_size) == ("scorer", 8)
    assert first.num_workers() == 2
    assert [s.name for s in Pair().decompose_and_apply_with()] == ["first", "last"]  # other instances untouched


def test_composite_with_changes_the_composite_itself_as_nemo_does() -> None:
    composite = Pair()
    assert composite.with_({"last": {"batch_size": 8}}) is composite
    composite.with_({"first": {"name": "reader"}})  # not reassigned: still applied
    assert [(s.name, s.batch_size) for s in composite.decompose_and_apply_with()] == [("reader", 1), ("last", 8)]


def test_composite_with_unknown_sub_stage_raises() -> None:
    with pytest.raises(ValueError, match=r"has no sub-stage \['nope'\]; it has \['first', 'last'\]"):
        Pair().with_({"nope": {"batch_size": 2}}).decompose_and_apply_with()


def test_composite_with_duplicate_sub_stage_names_raises() -> None:
    with pytest.raises(ValueError, match="names must be unique"):
        Pair(duplicate_names=True).with_({"first": {"batch_size": 2}}).decompose_and_apply_with()


def test_composite_with_takes_a_dict() -> None:
    with pytest.raises(TypeError, match="takes a dict"):
        Pair().with_(batch_size=2)  # type: ignore[call-arg]


def test_composite_is_never_processed_directly() -> None:
    with pytest.raises(RuntimeError, match="decomposes it at build"):
        Pair().process(_docs())


# -- Ray / Xenna hints and class checks (NeMo Curator code sets them; Dask ignores them) -------
class _Hinted(Identity):
    def ray_stage_spec(self) -> dict[str, Any]:
        return {"own": 1, "shared": "stage"}


class _FansOut(Identity):
    def process(self, task: DocumentBatch) -> DocumentBatch | list[DocumentBatch]:
        return [task]


def test_backend_hints_are_merged_kept_and_survive_pickling() -> None:
    stage = _Hinted().with_(ray_stage_spec={"shared": "mine"}, xenna_stage_spec={"slots": 2}, runtime_env={"pip": []})
    again = pickle.loads(pickle.dumps(stage.with_(ray_stage_spec={"later": True})))
    assert again.ray_stage_spec() == {"own": 1, "shared": "mine", "later": True}
    assert (again.xenna_stage_spec(), again.runtime_env) == ({"slots": 2}, {"pip": []})
    assert _Hinted().ray_stage_spec() == {"own": 1, "shared": "stage"}  # the original is unchanged
    again.ray_stage_spec()["own"] = 99  # callers get a copy
    assert again.ray_stage_spec()["own"] == 1


def test_xenna_num_workers_is_refused_in_favour_of_with_num_workers() -> None:
    with pytest.raises(ValueError, match=r"use with_\(num_workers=\.\.\.\) instead of setting num_workers"):
        Identity().with_(xenna_stage_spec={"num_workers": 4})


def test_fanout_is_read_from_the_return_annotation() -> None:
    assert (Identity().is_fanout_stage(), _FansOut().is_fanout_stage()) == (False, True)
    assert _FansOut().ray_stage_spec() == {"is_fanout_stage": True}


def test_a_num_workers_attribute_may_not_hide_the_method() -> None:
    with pytest.raises(TypeError, match="must not define 'num_workers' as a stage attribute \\(got 3\\)"):

        class _Bad(Identity):
            num_workers = 3  # type: ignore[assignment]


def test_the_framework_accessors_may_not_be_overridden() -> None:
    with pytest.raises(TypeError, match="_Bad must not override '_batch_size': it reads 'batch_size'"):

        class _Bad(Identity):
            def _batch_size(self) -> int:  # type: ignore[override]
                return 3

    assert Identity()._name == Identity().name
