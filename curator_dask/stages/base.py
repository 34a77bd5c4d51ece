"""``ProcessingStage`` and ``CompositeStage``: the units a pipeline is made of."""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Iterator
from inspect import isabstract
from types import UnionType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from curator_dask.errors import ConfigError, ConfigTypeError, InputError, PipelineError
from curator_dask.stages.resources import Resources
from curator_dask.tasks import Task

if TYPE_CHECKING:
    from curator_dask.backends.base import NodeInfo, WorkerMetadata

__all__ = ["CompositeStage", "ProcessingStage", "StageInputSpec", "StageInputSpecs", "get_stage_class"]

logger = logging.getLogger(__name__)

X = TypeVar("X", bound=Task)
Y = TypeVar("Y", bound=Task)
StageInputSpec = tuple[list[str], list[str]]
StageInputSpecs = StageInputSpec | dict[type[Task], StageInputSpec]

_STAGE_REGISTRY: dict[str, type[ProcessingStage]] = {}
_PLAIN_ATTRIBUTES = ("name", "resources", "batch_size", "runtime_env")
_FINAL_ACCESSORS = ("_name", "_resources", "_batch_size")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


class _Constant:
    """A picklable zero-argument callable that overrides a hook (``num_workers()``, the backend
    specs) on one instance; a dict is returned as a new copy each call, so callers cannot edit it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return dict(self.value) if isinstance(self.value, dict) else self.value


class StageMeta(ABCMeta):
    """Registers every concrete stage class by class name and rejects property attributes."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> StageMeta:
        _check_namespace(name, namespace, is_root=bool(namespace.get("_is_abstract_root")))
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        if not namespace.get("_is_abstract_root", False) and not isabstract(cls):
            _STAGE_REGISTRY[name] = cls  # type: ignore[assignment]
        return cls


def _check_namespace(name: str, namespace: dict[str, Any], is_root: bool) -> None:
    """Reject, at class creation, attributes that would hide what the framework reads."""
    for attr in _FINAL_ACCESSORS:
        if attr in namespace and not is_root:
            msg = f"{name} must not override {attr!r}: it reads {attr[1:]!r}; set {attr[1:]!r} instead."
            raise ConfigTypeError(msg)
    for attr in _PLAIN_ATTRIBUTES:
        if isinstance(namespace.get(attr), property):
            msg = (
                f"{name} must not define {attr!r} as a @property: use a plain class attribute or "
                f"a dataclass field, so that with_({attr}=...) can override it."
            )
            raise ConfigTypeError(msg)
    value = namespace.get("num_workers")
    annotated = "num_workers" in namespace.get("__annotations__", {})
    if (value is not None and not callable(value)) or (value is None and annotated):
        # A value here would replace the num_workers() method, and the executor would call an int.
        msg = (
            f"{name} must not define 'num_workers' as a stage attribute (got {value!r}): it would hide the "
            "num_workers() method. Fix: override num_workers() to size the stage, use with_(num_workers=...), "
            "or give the stage's own worker count another field name."
        )
        raise ConfigTypeError(msg)


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
    # Ray's per-stage environment in NeMo Curator: accepted and kept, unused on Dask.
    runtime_env: ClassVar[dict[str, Any] | None] = None

    @property
    def _name(self) -> str:
        return self.name

    @property
    def _resources(self) -> Resources:
        return self.resources

    @property
    def _batch_size(self) -> int | None:
        return self.batch_size

    # -- what a stage implements ------------------------------------------------------------
    @abstractmethod
    def process(self, task: X) -> Y | list[Y] | None:
        """Process one task: return a task, a list of tasks (fan-out) or ``None`` (filter)."""

    def process_batch(self, tasks: list[X]) -> list[Y | None]:
        """Process a batch. By default: validate each task, call ``process``, flatten lists."""
        results: list[Y | None] = []
        for task in tasks:
            if not self.validate_input(task):
                msg = (
                    f"Task {task!r} failed validation for stage {self.name!r}: {self._missing(task)}. "
                    "Fix: add them in an earlier stage, or change the stage's inputs()."
                )
                raise InputError(msg)
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

    def inputs(self) -> StageInputSpecs:
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
            raise ConfigTypeError(msg)
        for task_type in type(task).mro():
            if task_type in specs:
                return self._checked_spec(specs[task_type], f"inputs()[{task_type.__name__}]")
        supported = ", ".join(t.__name__ for t in specs) or "<none>"
        msg = (
            f"Stage {self.name!r} does not support input task type {type(task).__name__}; it takes: {supported}. "
            "Fix: put a stage that makes one of those before it."
        )
        raise ConfigTypeError(msg)

    def _checked_spec(self, spec: object, where: str) -> StageInputSpec:
        if not isinstance(spec, tuple) or len(spec) != 2:
            msg = f"Stage {self.name!r}: {where} must be a tuple (required_attributes, required_columns), got {spec!r}"
            raise ConfigTypeError(msg)
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
        runtime_env: dict[str, Any] | None = None,
        ray_stage_spec: dict[str, Any] | None = None,
        xenna_stage_spec: dict[str, Any] | None = None,
        num_workers: int | None = _UNSET,
    ) -> ProcessingStage[X, Y]:
        """A deep copy with the given attributes changed; ``self`` is never modified.

        As in NeMo Curator, ``None`` leaves an attribute as it is; ``num_workers=None`` explicitly
        resets the worker count to the executor's choice. ``runtime_env``, ``ray_stage_spec`` and
        ``xenna_stage_spec`` are Ray / Xenna hints: kept (the specs merged over the stage's own,
        the given keys winning) so that NeMo Curator code runs, and unused on Dask.
        """
        new = copy.deepcopy(self)
        if name is not None:
            new.name = name
        if resources is not None:
            if not isinstance(resources, Resources):
                msg = f"with_(resources=...) takes a Resources, got {type(resources).__name__}"
                raise ConfigTypeError(msg)
            new.resources = resources
        if batch_size is not None:
            if not isinstance(batch_size, int) or batch_size < 1:
                msg = f"with_(batch_size=...) takes a positive int, got {batch_size!r}"
                raise ConfigError(msg)
            new.batch_size = batch_size
        if runtime_env is not None:
            new.runtime_env = runtime_env  # type: ignore[misc]
        if ray_stage_spec is not None:
            new.ray_stage_spec = _Constant({**new.ray_stage_spec(), **ray_stage_spec})  # type: ignore[method-assign]
        if xenna_stage_spec is not None:
            if "num_workers" in xenna_stage_spec:
                msg = (
                    f"Stage {self.name!r}: use with_(num_workers=...) instead of setting num_workers in "
                    "xenna_stage_spec; it is the one worker count every executor reads."
                )
                raise ConfigError(msg)
            merged = {**new.xenna_stage_spec(), **xenna_stage_spec}
            new.xenna_stage_spec = _Constant(merged)  # type: ignore[method-assign]
        if num_workers is not _UNSET:
            new.num_workers = _Constant(num_workers)  # type: ignore[method-assign]
        return new

    # -- Ray / Xenna hints: NeMo Curator's backends read them; the Dask executor does not ----
    def ray_stage_spec(self) -> dict[str, Any]:
        """Ray Data options for this stage (kept for NeMo Curator code; unused on Dask)."""
        return {"is_fanout_stage": self.is_fanout_stage()}

    def xenna_stage_spec(self) -> dict[str, Any]:
        """Xenna options for this stage (kept for NeMo Curator code; unused on Dask)."""
        return {}

    def is_fanout_stage(self) -> bool:
        """True when ``process`` is annotated to return a list (one task in, many out)."""
        try:
            hints = get_type_hints(type(self).process)
        except (AttributeError, NameError, TypeError) as e:
            logger.debug("Could not resolve %s.process's return type (%s); not a fan-out stage", type(self).__name__, e)
            return False
        return _mentions_list(hints.get("return"))

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


def _mentions_list(annotation: object) -> bool:
    if get_origin(annotation) is list:
        return True
    if get_origin(annotation) in (UnionType, Union):
        return any(_mentions_list(arg) for arg in get_args(annotation))
    return False


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
        """Record ``{sub_stage_name: with_ kwargs}``, applied when decomposed; returns ``self``.

        As in NeMo Curator this changes the composite itself (code that does not reassign keeps
        its overrides); each call adds to the earlier ones.
        """
        if not isinstance(stage_with_dict, dict):
            msg = "CompositeStage.with_ takes a dict {sub_stage_name: {with_ keyword: value}}"
            raise ConfigTypeError(msg)
        self._with_operations.append(stage_with_dict)
        return self

    @property
    def _with_operations(self) -> list[dict[str, dict[str, Any]]]:
        """The recorded ``with_`` dicts, oldest first (kept in ``__dict__``: dataclass subclasses
        never call a base ``__init__``)."""
        return self.__dict__.setdefault("_with_operations", [])

    def _overrides(self) -> list[dict[str, dict[str, Any]]]:
        return list(self._with_operations)

    def decompose_and_apply_with(self) -> list[ProcessingStage]:
        """``decompose()`` with the recorded ``with_`` overrides applied."""
        return self._apply_with_(self.decompose())

    def _apply_with_(self, stages: list[ProcessingStage]) -> list[ProcessingStage]:
        for overrides in self._overrides():
            by_name = {s.name: s for s in stages}
            if len(by_name) != len(stages):
                names = [s.name for s in stages]
                msg = (
                    f"All stages must have unique names in composite stage {self.name!r} to apply with_() "
                    f"(sub-stage names must be unique), got {names}. Fix: give each sub-stage its own name."
                )
                raise PipelineError(msg)
            unknown = sorted(set(overrides) - set(by_name))
            if unknown:
                msg = (
                    f"Stage {', '.join(unknown)} not found in composite stage {self.name!r}: it has no sub-stage "
                    f"{unknown}; it has {sorted(by_name)}. Fix the names in with_({{...}})."
                )
                raise PipelineError(msg)
            stages = [s.with_(**overrides[s.name]) if s.name in overrides else s for s in stages]
        return stages

    def get_description(self) -> str:
        """What this composite does, for ``Pipeline.describe()``."""
        return f"Composite stage: {self.name}"

    def process(self, task: X) -> Y | list[Y] | None:
        msg = f"Composite stage {self.name!r} is never executed; a Pipeline decomposes it at build()."
        raise RuntimeError(msg)
