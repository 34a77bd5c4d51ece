"""Fingerprints that tell a resumed run whether an earlier run's output still applies.

``stage_fingerprint`` describes a stage by its class (name and the code of its methods) and every
parameter reachable from it (filter objects, word lists, regular expressions, the code of
functions it was given), in a canonical form, and hashes it; a changed threshold, an edited
``process`` or a different stage order gives a different pipeline fingerprint. A stage class may
name attributes that do not change what it outputs (a log path, a pause) in
``_fingerprint_ignore``. ``input_fingerprint`` records the size and modification time of a source
partition's files, so an edited input file is read again. Both run on plain data, cheaply.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import re
import types
from collections.abc import Iterable
from typing import Any

__all__ = ["input_fingerprint", "pipeline_fingerprints", "stage_fingerprint"]

_MAX_DEPTH = 8
# Per-batch bookkeeping that says nothing about what a stage computes.
_IGNORED_STATE = frozenset({"_custom_metrics"})
# Where file systems report a modification time (local, S3, GCS/Azure), or a content tag.
_STAMP_KEYS = ("mtime", "LastModified", "last_modified", "updated", "ETag")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _code(code: types.CodeType) -> str:
    parts = [code.co_code, repr(code.co_names).encode()]
    for const in code.co_consts:
        parts.append(_code(const).encode() if isinstance(const, types.CodeType) else repr(const).encode())
    return _digest(b"|".join(parts))


@functools.cache
def _class_code(cls: Any) -> str:
    """The class's name and the code of every method its classes define (not where it was imported from:
    the same class run as ``__main__`` and imported as a module is the same class)."""
    parts = [cls.__qualname__]
    for klass in cls.__mro__:
        if klass.__module__ == "builtins" or klass.__module__.startswith(("abc", "typing")):
            continue
        for name, member in sorted(vars(klass).items()):
            fn = getattr(member, "__func__", member)
            if isinstance(fn, types.FunctionType):
                parts.append(f"{klass.__qualname__}.{name}:{_code(fn.__code__)}")
    return _digest("|".join(parts).encode())


def _canonical(value: Any, depth: int, seen: frozenset[int]) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return {"bytes": _digest(bytes(value))}
    if depth > _MAX_DEPTH or id(value) in seen:
        return f"<{type(value).__qualname__}>"
    seen = seen | {id(value)}

    def inner(v: Any) -> Any:
        return _canonical(v, depth + 1, seen)

    if isinstance(value, list | tuple):
        return [inner(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((inner(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, dict):
        return {str(k): inner(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, re.Pattern):
        return {"regex": value.pattern if isinstance(value.pattern, str) else repr(value.pattern), "flags": value.flags}
    if isinstance(value, type):
        return {"type": value.__qualname__, "code": _class_code(value)}
    if isinstance(value, functools.partial):
        return {"partial": inner(value.func), "args": inner(value.args), "kwargs": inner(value.keywords)}
    if isinstance(value, types.FunctionType | types.MethodType):
        fn = value.__func__ if isinstance(value, types.MethodType) else value
        return {"function": fn.__qualname__, "code": _code(fn.__code__)}
    if type(value).__module__.split(".")[0] in ("pandas", "pyarrow"):  # frames, series, tables
        return {"data": _digest(pickle.dumps(value, protocol=5))}
    if hasattr(value, "tobytes") and hasattr(value, "dtype"):  # numpy (and cupy) arrays
        shape = list(getattr(value, "shape", ()))
        # an object array's bytes are its pointers, which differ for equal values in every process
        data = pickle.dumps(value.tolist(), protocol=5) if value.dtype == object else value.tobytes()
        return {"array": _digest(data), "dtype": str(value.dtype), "shape": shape}
    state = _state(value)
    if state is None:
        return f"<{type(value).__qualname__}>"
    ignored = _IGNORED_STATE | frozenset(getattr(type(value), "_fingerprint_ignore", ()))
    return {
        "class": type(value).__qualname__,
        "code": _class_code(type(value)),  # type: ignore[arg-type]  # classes are hashable
        "state": inner({k: v for k, v in state.items() if k not in ignored}),
    }


def _state(value: Any) -> dict[str, Any] | None:
    state = dict(getattr(value, "__dict__", {}) or {})
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot not in state and hasattr(value, slot):
                state[slot] = getattr(value, slot)
    if state:
        return state
    return {} if type(value).__module__ != "builtins" else None


def stage_fingerprint(stage: Any) -> str:
    """A short hash of the stage's class and parameters (stable across processes and runs)."""
    text = json.dumps(_canonical(stage, 0, frozenset()), sort_keys=True, default=str)
    return _digest(text.encode())


def pipeline_fingerprints(stages: Iterable[Any]) -> list[dict[str, str]]:
    """``[{"name", "class", "fingerprint"}]`` per stage, in pipeline order."""
    return [
        {
            "name": str(stage.name),
            "class": type(stage).__qualname__,
            "fingerprint": stage_fingerprint(stage),
        }
        for stage in stages
    ]


def input_fingerprint(paths: Iterable[str], storage_options: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    """``{path: [size, modification time]}`` of each input file; ``[None, None]`` for one that is gone."""
    from fsspec.core import url_to_fs

    out: dict[str, list[Any]] = {}
    for path in paths:
        try:
            fs, fs_path = url_to_fs(path, **(storage_options or {}))
            info = fs.info(fs_path)
        except (FileNotFoundError, OSError, ValueError):
            out[path] = [None, None]
            continue
        stamp = next((info[k] for k in _STAMP_KEYS if k in info), None)
        out[path] = [info.get("size"), str(stamp) if stamp is not None else None]
    return out
