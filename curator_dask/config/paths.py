"""Paths in pipeline files: made absolute on the client, and input paths checked before a run.

Workers may run in another directory than the client (``dask worker`` started elsewhere, Slurm
nodes), and a relative path would then be read or written there: a run on an existing scheduler
read the worker's ``data/raw`` instead of the client's, or failed to find it. So the loader leaves
no relative path for a worker to resolve: the value of every key named like a path (``path``,
``paths``, ``dir``, ``file``, ``files``, or a key ending in ``_`` and one of those, such as
``input_path``, ``file_paths``, ``cache_dir``, ``scheduler_file``) that is a local relative path
(no ``://``) is made absolute against the client's current directory, in the top-level values
(overrides included, before ``${...}`` references are resolved, so ``${input_path}/x`` follows)
and in the stages' and workflow's arguments. ``~`` is expanded on the client too.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from curator_dask.errors import InputError
from curator_dask.utils.paths import GLOB_CHARS, absolute_path

__all__ = ["absolute_override", "absolute_paths", "check_input_paths", "is_path_key", "partitioning_stages"]

_PATH_KEY = re.compile(r"(?:^|_)(?:path|paths|dir|file|files)$")


def is_path_key(key: str) -> bool:
    """Whether ``key`` names a path (``input_path``, ``file_paths``, ``path``, ``cache_dir``)."""
    return bool(_PATH_KEY.search(key))


def _absolute(value: Any) -> Any:
    if not isinstance(value, str) or not value or "${" in value or value == "???":
        return value  # not a path, or one the loader has not resolved yet
    return absolute_path(value)


def absolute_paths(node: Any, key: str = "") -> Any:
    """``node`` with the local relative paths under path-named keys made absolute (a copy).

    Args:
        node: a mapping, list or value read from a pipeline file.
        key: the key ``node`` is the value of (``""`` at the top).
    """
    if isinstance(node, dict):
        return {k: absolute_paths(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [absolute_paths(item, key) for item in node]
    return _absolute(node) if is_path_key(key) else node


def absolute_override(item: str) -> str:
    """The override ``key=value`` with ``value`` made absolute when ``key`` names a path."""
    key, sep, value = item.partition("=")
    if sep and is_path_key(key.strip().split(".")[-1]):
        return f"{key}={_absolute(value)}"
    return item


def partitioning_stages(stages: Iterable[Any]) -> Iterator[Any]:
    """The ``FilePartitioningStage``s among ``stages``, composite readers looked into (``with_`` applied)."""
    from curator_dask.stages.base import CompositeStage
    from curator_dask.stages.file_partitioning import FilePartitioningStage

    for stage in stages:
        if isinstance(stage, CompositeStage):
            yield from partitioning_stages(stage.decompose_and_apply_with())
        elif isinstance(stage, FilePartitioningStage):
            yield stage


def check_input_paths(stages: Iterable[Any], where: str) -> None:
    """Fail when a local input path of a reading stage does not exist on this machine.

    Only looks (``os.path.exists``, ``glob``); remote URLs (``s3://...``) are left to the run.

    Args:
        stages: a pipeline's stages (composite readers are looked into).
        where: the pipeline file, for the message.

    Raises:
        InputError: naming the path, the stage and the fix.
    """
    for stage in partitioning_stages(stages):
        paths = [stage.file_paths] if isinstance(stage.file_paths, str) else list(stage.file_paths)
        for path in paths:
            if "://" in path:
                continue
            pattern = any(c in path for c in GLOB_CHARS)
            if glob.glob(path, recursive=True) if pattern else os.path.exists(path):
                continue
            what = "matches no file" if pattern else "does not exist"
            msg = (
                f"{where}: input path {path!r} of stage {stage.name!r} {what}; fix the path given on the "
                "command line (input_path=...) or in the YAML"
            )
            raise InputError(msg)
