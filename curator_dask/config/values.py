"""Reading a pipeline YAML into plain values: command-line overrides and ``${var}`` interpolation.

Interpolation follows the subset of OmegaConf that NeMo Curator's pipeline files use: ``${name}``
refers to a top-level key (or a dotted path such as ``${cluster.address}``). A whole-string
reference keeps the referenced value's type (``files_per_partition: ${fpp}`` stays an int); a
reference inside a longer string is formatted into it. ``???`` marks a value the user must give.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from curator_dask.core.fields import did_you_mean
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


def apply_overrides(
    values: dict[str, Any],
    overrides: list[str],
    *,
    where: str = "the YAML",
    known: Mapping[str, Collection[str] | None] | None = None,
) -> dict[str, Any]:
    """A copy of ``values`` with Hydra-style ``key=value`` / ``a.b=value`` overrides applied.

    Each value is parsed as YAML, so ``n=3`` is an int and ``fields=null`` is None. A key must
    be one that ``values`` defines (a misspelt key would otherwise be ignored without a word);
    ``+key=value`` adds a new one on purpose, as in Hydra.

    Args:
        values: the file's top-level mapping.
        overrides: ``key=value`` strings.
        where: the file, for messages.
        known: top-level keys allowed even where ``values`` lacks them, each with the keys
            allowed below it (``{"cluster": ClusterSpec fields}``); ``None`` leaves those below
            unchecked (``executor``, which the executor checks).

    Raises:
        ConfigError: for an item that is not ``key=value``, a key the file does not define (with
            the closest one it does), or a key below a value that is not a mapping.
    """
    result = dict(values)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"Override {item!r} is not key=value; write e.g. input_path=/data/raw")
        parts = key.strip().lstrip("+").split(".")
        if not key.strip().startswith("+"):
            _check_defined(values, parts, item, where, known or {})
        target = result
        for depth, part in enumerate(parts[:-1]):
            child = target.get(part)
            if child is not None and not isinstance(child, dict):
                dotted = ".".join(parts[: depth + 1])
                raise ConfigError(
                    f"Override {item!r}: {dotted} is a {type(child).__name__} in {where}, not a mapping, so it has "
                    f"no key {parts[depth + 1]!r}; set a top-level value the YAML refers to with ${{...}} instead"
                )
            target[part] = dict(child or {})
            target = target[part]
        try:
            target[parts[-1]] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            target[parts[-1]] = raw
    return result


def _check_defined(
    values: dict[str, Any], parts: list[str], item: str, where: str, known: Mapping[str, Collection[str] | None]
) -> None:
    """Raise unless the dotted key ``parts`` is one ``values`` (or ``known``) defines."""
    if parts[0] in known:
        allowed = known[parts[0]]
        if allowed is not None and len(parts) > 1 and parts[1] not in allowed:
            msg = (
                f"Override {item!r}: {parts[0]} has no setting {parts[1]!r}{did_you_mean(parts[1], allowed)}; "
                f"allowed: {', '.join(allowed) or 'none'}"
            )
            raise ConfigError(msg)
        return
    node: Any = values
    for depth, part in enumerate(parts):
        if not isinstance(node, dict):
            return  # the walk in apply_overrides names the value that is not a mapping
        if part not in node:
            dotted = ".".join(parts[: depth + 1])
            prefix = "".join(f"{p}." for p in parts[:depth])
            choices = [f"{prefix}{k}" for k in node] + (list(known) if depth == 0 else [])
            hint = did_you_mean(dotted, choices) or f" (it defines {', '.join(sorted(choices)) or 'none'})"
            raise ConfigError(
                f"Override {item!r}: {where} defines no key {dotted!r}{hint}; fix the spelling, or write "
                f"+{item} to add a new key on purpose"
            )
        node = node[part]


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
