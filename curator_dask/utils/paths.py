"""Local paths as the driver must hand them to workers, and what makes a path a glob."""

from __future__ import annotations

import os

__all__ = ["GLOB_CHARS", "absolute_path"]

GLOB_CHARS = frozenset("*?[")


def absolute_path(path: str | os.PathLike[str]) -> str:
    """``path`` made absolute against this process's working directory (``~`` expanded); URLs stay.

    The driver does this when a stage or a pipeline file is built, so that workers started in
    another directory (an existing cluster, Slurm nodes) read and write the files the user meant.
    """
    text = os.fspath(path)
    return text if "://" in text else os.path.abspath(os.path.expanduser(text))
