"""Reading a pipeline YAML into plain values: command-line overrides and ``${var}`` interpolation.

Interpolation follows the subset of OmegaConf that NeMo Curator's pipeline files use: ``${name}``
refers to a top-level key (or a dotted path such as ``${cluster.address}``). A whole-string
reference keeps the referenced value's type (``files_per_partition: ${fpp}`` stays an int); a
reference inside a longer string is formatted into it. ``???`` marks a value the user must give.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from curator_dask.errors import ConfigError

__all__ = ["MISSING", "apply_overrides", "interpolate", "read_yaml"]

MISSING = "???"
_REFERENCE = re.compile(r"\$\{([^}]+)\}")


def read_yaml(path: Path) -> dict[str, Any]:
    """The top-level mapping of the YAML file at ``path``."""
    try:
        values = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {str(e).splitlines()[0]}") from e
    if not isinstance(values, dict):
        raise ConfigError(f"{path} must hold a mapping with a 'stages:' list, got {type(values).__name__}")
    return values


def apply_overrides(values: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """A copy of ``values`` with Hydra-style ``key=value`` / ``a.b=value`` overrides applied.

    Each value is parsed as YAML, so ``n=3`` is an int and ``fields=null`` is None.
    """
    result = dict(values)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"Override {item!r} is not key=value; write e.g. input_path=/data/raw")
        target = result
        *parents, leaf = key.strip().lstrip("+").split(".")
        for part in parents:
            child = target.get(part)
            target[part] = dict(child) if isinstance(child, dict) else {}
            target = target[part]
        try:
            target[leaf] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            target[leaf] = raw
    return result


def _lookup(root: dict[str, Any], name: str, chain: tuple[str, ...]) -> Any:
    if name in chain:
        raise ConfigError(f"${{{name}}} refers to itself through {' -> '.join((*chain, name))}")
    node: Any = root
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"${{{name}}} refers to a key that is not defined; add '{name}:' or pass {name}=...")
        node = node[part]
    if node == MISSING:
        raise ConfigError(f"{name} is required (it is ??? in the YAML); pass {name}=VALUE on the command line")
    return _resolve(node, root, (*chain, name))


def _resolve(node: Any, root: dict[str, Any], chain: tuple[str, ...]) -> Any:
    if isinstance(node, dict):
        return {k: _resolve(v, root, chain) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, chain) for v in node]
    if not isinstance(node, str) or "${" not in node:
        return node
    whole = _REFERENCE.fullmatch(node.strip())
    if whole:
        return _lookup(root, whole.group(1).strip(), chain)
    return _REFERENCE.sub(lambda m: str(_lookup(root, m.group(1).strip(), chain)), node)


def interpolate(values: dict[str, Any], keys: list[str] | None = None) -> dict[str, Any]:
    """``values`` with every ``${name}`` replaced; only ``keys`` are resolved when given.

    Raises:
        ConfigError: for an undefined or circular reference, or a ``???`` value still unset.
    """
    resolved = {}
    for key, value in values.items():
        if keys is not None and key not in keys:
            resolved[key] = value
            continue
        if value == MISSING:
            raise ConfigError(f"{key} is required (it is ??? in the YAML); pass {key}=VALUE on the command line")
        resolved[key] = _resolve(value, values, (key,))
    return resolved
