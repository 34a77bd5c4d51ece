"""Building objects from ``{_target_: import.path, **arguments}`` mappings (Hydra's format).

NeMo Curator's YAML files name ``nemo_curator.*`` classes. When NeMo Curator is not installed,
those paths are read as the same path under ``curator_dask.*``, whose module layout mirrors NeMo
Curator's, so its files run unchanged.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from curator_dask.errors import ConfigError

__all__ = ["TARGET", "instantiate", "locate", "map_import_path"]

TARGET = "_target_"
_NEMO = "nemo_curator"


def map_import_path(path: str) -> str:
    """``path`` with ``nemo_curator.`` replaced by ``curator_dask.`` unless NeMo Curator is installed."""
    if (path == _NEMO or path.startswith(_NEMO + ".")) and importlib.util.find_spec(_NEMO) is None:
        return "curator_dask" + path[len(_NEMO) :]
    return path


def locate(path: str) -> Any:
    """The object at the dotted import path ``path`` (``package.module.Class``).

    Raises:
        ConfigError: naming the path, what failed and how to fix it.
    """
    if not isinstance(path, str) or "." not in path:
        raise ConfigError(f"_target_ {path!r} is not a dotted import path such as 'package.module.ClassName'")
    mapped = map_import_path(path)
    parts = mapped.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name and module_name.startswith(e.name):
                continue  # the module is not there: try a shorter prefix
            raise ConfigError(f"Importing {module_name!r} for _target_ {path!r} failed: {e}") from e
        try:
            for attribute in parts[split:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            break
        return obj
    hint = f" (read as {mapped!r})" if mapped != path else ""
    raise ConfigError(f"Cannot import _target_ {path!r}{hint}; check the spelling of the module and class name")


def instantiate(node: Any, where: str = "config") -> Any:
    """``node`` with every mapping that has a ``_target_`` replaced by the object it describes.

    Nested targets (a ``ScoreFilter``'s ``filter_obj``) are built first. ``_args_`` gives
    positional arguments.

    Raises:
        ConfigError: when a target cannot be imported or rejects its arguments; names ``where``.
    """
    if isinstance(node, list):
        return [instantiate(item, f"{where}[{i}]") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    kwargs = {k: instantiate(v, f"{where}.{k}") for k, v in node.items() if k not in (TARGET, "_args_")}
    if TARGET not in node:
        return kwargs
    factory = locate(node[TARGET])
    args = instantiate(node.get("_args_", []), f"{where}._args_")
    unsupported = sorted(k for k in kwargs if k.startswith("_") and k.endswith("_"))
    if unsupported:
        raise ConfigError(f"{where}: {unsupported} are not supported; only _target_ and _args_ are")
    try:
        return factory(*args, **kwargs)
    except TypeError as e:
        raise ConfigError(f"{where}: {node[TARGET]}({_signature(kwargs)}) failed: {e}") from e


def _signature(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}=..." for k in kwargs)
