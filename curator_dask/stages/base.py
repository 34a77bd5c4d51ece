"""``ProcessingStage`` and ``CompositeStage``: the units a pipeline is made of."""

from __future__ import annotations

import contextlib
import copy
import time
from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Iterator
from inspect import isabstract
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from curator_dask.stages.resources import Resources
from curator_dask.tasks import Task

if TYPE_CHECKING:
    from curator_dask.backends.base import NodeInfo, WorkerMetadata

__all__ = ["CompositeStage", "ProcessingStage", "StageInputSpec", "get_stage_class"]

X = TypeVar("X", bound=Task)
Y = TypeVar("Y", bound=Task)
StageInputSpec = tuple[list[str], list[str]]

_STAGE_REGISTRY: dict[str, type[ProcessingStage]] = {}
_PLAIN_ATTRIBUTES = ("name", "resources", "batch_size")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


class _Constant:
    """A picklable zero-argument callable, used to override ``num_workers()`` per instance."""

    def __init__(self, value: int | None) -> None:
        self.value = value

    def __call__(self) -> int | None:
        return self.value


class StageMeta(ABCMeta):
    """Registers every concrete stage class by class name and rejects property attributes."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> StageMeta:
        for attr in _PLAIN_ATTRIBUTES:
            if isinstance(namespace.get(attr), property):
                msg = (
                    f"{name} must not define {attr!r} as a @property: use a plain class attribute or "
                    f"a dataclass field, so that with_({attr}=...) can override it."
                )
                raise TypeError(msg)
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        if not namespace.get("_is_abstract_root", False) and not isabstract(cls):
            _STAGE_REGISTRY[name] = cls  # type: ignore[assignment]
        return cls


def get_stage_class(name: str) -> type[ProcessingStage]:
    """The registered stage class called ``name``; ``KeyError`` when there is none."""
    try:
        return _STAGE_REGISTRY[name]
    except KeyError:
        msg = f"No stage class named {name!r} is registered; import the module that defines it first."
        raise KeyError(msg) from None


class ProcessingStage(ABC, Generic[X, Y], metaclass=StageMeta):
    """A step of a pipeline: turns input tasks into output tasks.

    Subclasses implement ``process`` (one task in; a task, a list of tasks, or ``None`` out) and
    may override ``process_batch`` for vectorised work. ``name``, ``resources`` and
    ``batch_size`` are plain attributes (``batch_size=None`` lets the executor decide).
    """

    _is_abstract_root = True
    name: str = "ProcessingStage"
    resources: Resources = Resources(cpus=1.0)
    batch_size: int | None = 1
    is_source_stage: bool = False
    is_sink_stage: bool = False

    # -- what a stage implements ------------------------------------------------------------
    @abstractmethod
    def process(self, task: X) -> Y | list[Y] | None:
        """Process one task: return a task, a list of tasks (fan-out) or ``None`` (filter)."""

    def process_batch(self, tasks: list[X]) -> list[Y | None]:
        """Process a batch. By default: validate each task, call ``process``, flatten lists."""
        results: list[Y | None] = []
        for task in tasks:
            if not self.validate_input(task):
                msg = f"Task {task!r} failed input validation for stage {self.name!r}: {self._missing(task)}"
                raise ValueError(msg)
            result = self.process(task)
            if isinstance(result, list):
                results.extend(result)
            else:
                results.append(result)
        return results

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        """Once per node, before ``setup`` on any worker of that node (files, caches)."""

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        """Once per worker, before its first batch (load models here)."""

    def teardown(self) -> None:
        """Once per worker, when the stage is done with it."""

    def inputs(self) -> StageInputSpec | dict[type[Task], StageInputSpec]:
        """``(required task attributes, required data columns)``, or such a pair per task type."""
        return [], []

    def outputs(self) -> StageInputSpec:
        """``(task attributes, data columns)`` this stage adds or changes."""
        return [], []

    def num_workers(self) -> int | None:
        """How many workers the stage wants; ``None`` lets the executor decide."""
        return None

    # -- input validation -------------------------------------------------------------------
    def input_spec_for_task(self, task: Task) -> StageInputSpec:
        """The input spec that applies to ``task`` (most specific task type wins)."""
        specs = self.inputs()
        if isinstance(specs, tuple):
            return self._checked_spec(specs, "inputs()")
        if not isinstance(specs, dict):
            msg = f"Stage {self.name!r}: inputs() must return a (attributes, columns) tuple or a dict of them"
            raise TypeError(msg)
        for task_type in type(task).mro():
            if task_type in specs:
                return self._checked_spec(specs[task_type], f"inputs()[{task_type.__name__}]")
        supported = ", ".join(t.__name__ for t in specs) or "<none>"
        msg = f"Stage {self.name!r} does not take {type(task).__name__} tasks; it takes: {supported}"
        raise TypeError(msg)

    def _checked_spec(self, spec: object, where: str) -> StageInputSpec:
        if not isinstance(spec, tuple) or len(spec) != 2:
            msg = f"Stage {self.name!r}: {where} must be a tuple (required_attributes, required_columns)"
            raise TypeError(msg)
        return spec  # type: ignore[return-value]

    def _missing(self, task: Task) -> str:
        try:
            attrs, columns = self.input_spec_for_task(task)
        except TypeError as e:
            return str(e)
        missing_attrs = [a for a in attrs if not hasattr(task, a)]
        present = set(task.get_columns()) if hasattr(task, "get_columns") else set()
        missing_cols = [c for c in columns if c not in present and not hasattr(task.data, c)]
        parts = []
        if missing_attrs:
            parts.append(f"missing task attributes {missing_attrs}")
        if missing_cols:
            parts.append(f"missing columns {missing_cols} (has {sorted(present)})")
        return "; ".join(parts)

    def validate_input(self, task: Task) -> bool:
        """True when ``task`` has every attribute and column this stage's ``inputs()`` requires."""
        return self._missing(task) == ""

    # -- configuration ----------------------------------------------------------------------
    def with_(
        self,
        name: str | None = None,
        resources: Resources | None = None,
        batch_size: int | None = None,
        num_workers: int | None = _UNSET,
    ) -> ProcessingStage[X, Y]:
        """A deep copy with the given attributes changed; ``self`` is never modified.

        As in NeMo Curator, ``None`` leaves ``name``, ``resources`` and ``batch_size`` as they
        are; ``num_workers=None`` explicitly resets the worker count to the executor's choice.
        """
        new = copy.deepcopy(self)
        if name is not None:
            new.name = name
        if resources is not None:
            if not isinstance(resources, Resources):
                msg = f"with_(resources=...) takes a Resources, got {type(resources).__name__}"
                raise TypeError(msg)
            new.resources = resources
        if batch_size is not None:
            if not isinstance(batch_size, int) or batch_size < 1:
                msg = f"with_(batch_size=...) takes a positive int, got {batch_size!r}"
                raise ValueError(msg)
            new.batch_size = batch_size
        if num_workers is not _UNSET:
            new.num_workers = _Constant(num_workers)  # type: ignore[method-assign]
        return new

    def supports_batch_processing(self) -> bool:
        """True when the class overrides ``process_batch`` (vectorised work)."""
        return type(self).process_batch is not ProcessingStage.process_batch

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "resources": self.resources,
            "batch_size": self.batch_size,
            "supports_batch_processing": self.supports_batch_processing(),
        }

    def __repr__(self) -> str:
        return type(self).__name__

    # -- custom metrics, consumed by the adapter once per batch -----------------------------
    def _log_metrics(self, metrics: dict[str, float]) -> None:
        store = self.__dict__.setdefault("_custom_metrics", {})
        for key, value in metrics.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                msg = f"Stage {self.name!r}: metric {key!r} must be a number, got {value!r}"
                raise TypeError(msg)
            store[key] = float(value)

    def _log_metric(self, name: str, value: float) -> None:
        self._log_metrics({name: value})

    @contextlib.contextmanager
    def _time_metric(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self._log_metric(name, time.perf_counter() - start)

    def _consume_custom_metrics(self) -> dict[str, float]:
        return self.__dict__.pop("_custom_metrics", None) or {}


class CompositeStage(ProcessingStage[X, Y], ABC):
    """A user-facing stage that a pipeline expands into execution stages at build time."""

    _is_abstract_root = True

    @abstractmethod
    def decompose(self) -> list[ProcessingStage]:
        """The execution stages this composite stands for."""

    def inputs(self) -> StageInputSpec | dict[type[Task], StageInputSpec]:
        return self.decompose()[0].inputs()

    def outputs(self) -> StageInputSpec:
        return self.decompose()[-1].outputs()

    def with_(self, stage_with_dict: dict[str, dict[str, Any]] | None = None, **_: Any) -> CompositeStage[X, Y]:  # type: ignore[override]
        """A copy that applies ``{sub_stage_name: with_ kwargs}`` when decomposed."""
        if not isinstance(stage_with_dict, dict):
            msg = "CompositeStage.with_ takes a dict {sub_stage_name: {with_ keyword: value}}"
            raise TypeError(msg)
        new = copy.deepcopy(self)
        new.__dict__["_with_operations"] = [*self._overrides(), stage_with_dict]
        return new

    def _overrides(self) -> list[dict[str, dict[str, Any]]]:
        return list(self.__dict__.get("_with_operations", []))

    def decompose_and_apply_with(self) -> list[ProcessingStage]:
        """``decompose()`` with the recorded ``with_`` overrides applied."""
        stages = self.decompose()
        for overrides in self._overrides():
            by_name = {s.name: s for s in stages}
            if len(by_name) != len(stages):
                msg = f"Composite stage {self.name!r}: sub-stage names must be unique to apply with_()"
                raise ValueError(msg)
            unknown = sorted(set(overrides) - set(by_name))
            if unknown:
                msg = f"Composite stage {self.name!r} has no sub-stage {unknown}; it has {sorted(by_name)}"
                raise ValueError(msg)
            stages = [s.with_(**overrides[s.name]) if s.name in overrides else s for s in stages]
        return stages

    def process(self, task: X) -> Y | list[Y] | None:
        msg = f"Composite stage {self.name!r} is never executed; a Pipeline decomposes it at build()."
        raise RuntimeError(msg)
