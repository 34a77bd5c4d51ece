"""Getting the user's own code to the workers: modules they cannot import travel by value.

A stage class written in the user's own module (``mystages.py`` beside a notebook or a batch
script) is importable where the pipeline is built, but not on ``dask worker`` processes started
in another directory or on another node. Before a run, the executor asks the workers which of the
modules the stages use they cannot import; those that are the user's own source files (not an
installed package) are registered with ``cloudpickle.register_pickle_by_value``, so the stages
reach the workers with their code, as Dask users expect of functions from ``__main__``. An
installed package missing on the workers cannot travel that way: that is a clear error.

The workers' answer is remembered per client (asking is a round trip to every worker, on a warm
cluster a tenth of a small run); the driver calls ``workers_seen`` with the workers it set up, and
a worker that was not asked makes the next run ask again. A worker that joins mid-run and lacks
a module fails its stage's set-up with a message naming the module.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
import types
import weakref
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudpickle

from curator_dask.errors import PipelineError

__all__ = ["modules_used_by", "shipped_by_value", "workers_seen"]

_MAX_DEPTH = 6
_OURS = frozenset({"curator_dask", "nemo_curator", "builtins", "__main__"})


def modules_used_by(objects: Iterable[Any]) -> set[str]:
    """Top-level names of the modules that define the classes and functions reachable from ``objects``."""
    found: set[str] = set()
    seen: set[int] = set()

    def visit(value: Any, depth: int) -> None:
        if depth > _MAX_DEPTH or id(value) in seen or value is None or isinstance(value, str | bytes | int | float):
            return
        seen.add(id(value))
        module = getattr(value, "__module__", None) if callable(value) else type(value).__module__
        if isinstance(module, str):
            found.add(module.split(".")[0])
        for klass in (value if isinstance(value, type) else type(value)).__mro__:
            if klass.__module__.split(".")[0] not in _OURS:
                found.update(_modules_named_in(klass))
        if isinstance(value, list | tuple | set | frozenset):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif not isinstance(value, type):
            for item in (getattr(value, "__dict__", None) or {}).values():
                visit(item, depth + 1)

    for obj in objects:
        visit(obj, 0)
    stdlib = set(sys.stdlib_module_names)
    return {m for m in found if m not in stdlib and m not in _OURS and not m.startswith("_")}


def _modules_named_in(klass: type) -> set[str]:
    """Modules the methods of ``klass`` use through their globals (``helpers.shout(...)``)."""
    names: set[str] = set()
    for member in vars(klass).values():
        fn = getattr(member, "__func__", member)
        if not isinstance(fn, types.FunctionType):
            continue
        for name in fn.__code__.co_names:
            used = fn.__globals__.get(name)
            module = used.__name__ if isinstance(used, types.ModuleType) else getattr(used, "__module__", None)
            if isinstance(module, str):
                names.add(module.split(".")[0])
    return names


def _missing(names: list[str]) -> list[str]:
    """The names this process cannot import (run on each worker)."""
    return [n for n in names if importlib.util.find_spec(n) is None]


def _installed(module: Any) -> bool:
    """Whether ``module`` comes from an installed distribution (site-packages), not a user's file."""
    file = getattr(module, "__file__", None)
    if file is None:
        return False
    places = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    return any(Path(file).resolve().is_relative_to(Path(p).resolve()) for p in places)


@dataclass(frozen=True, slots=True)
class _Answer:
    """What the workers said about some module names: which they lack, and who was asked."""

    names: tuple[str, ...]
    workers: frozenset[str]
    missing: frozenset[str]


_ANSWERS: weakref.WeakKeyDictionary[Any, _Answer] = weakref.WeakKeyDictionary()


def _missing_on_workers(client: Any, names: tuple[str, ...]) -> frozenset[str]:
    """The names some worker cannot import; the answer is reused for the same names and workers."""
    answer = _ANSWERS.get(client)
    if answer is None or answer.names != names:
        replies = client.run(_missing, list(names))
        missing = frozenset(n for found in replies.values() for n in found)
        answer = _Answer(names, frozenset(replies), missing)
        _ANSWERS[client] = answer
    return answer.missing


def workers_seen(client: Any, workers: Iterable[str]) -> None:
    """Forget the remembered answer when ``workers`` holds a worker that was not asked."""
    answer = _ANSWERS.get(client)
    if answer is not None and not set(workers) <= answer.workers:
        _ANSWERS.pop(client, None)


@contextmanager
def shipped_by_value(client: Any, stages: list[Any]) -> Any:
    """Within the block, the user modules of ``stages`` that some worker lacks pickle by value.

    Raises:
        PipelineError: when a worker lacks an installed package a stage needs, naming it and the fix.
    """
    candidates = sorted(m for m in modules_used_by(stages) if m in sys.modules)
    missing = _missing_on_workers(client, tuple(candidates)) if candidates else frozenset()
    registered = []
    for name in sorted(missing):
        module = sys.modules[name]
        if _installed(module):
            msg = (
                f"The workers cannot import {name!r}, which the pipeline's stages use (installed here at "
                f"{Path(module.__file__ or name).parent}). Install it in the workers' environment too "
                f"(pip install {name}, or the same conda environment on every node)."
            )
            raise PipelineError(msg)
        cloudpickle.register_pickle_by_value(module)
        registered.append(module)
    try:
        yield [m.__name__ for m in registered]
    finally:
        for module in registered:
            cloudpickle.unregister_pickle_by_value(module)
