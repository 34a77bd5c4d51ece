"""Where writer modes take effect: the executor's two calls, before any work of a run.

``check_output_paths(stages)`` is the pre-flight check (before connecting to a cluster): an output
path equal to, inside or containing an input path, a path that is a file, or one under a file,
is refused. ``prepare_outputs(stages)`` (after connecting, before the first batch) runs that check
again and applies each writer's ``mode`` to its folder, once per folder, on the driver; what each
mode may delete is written in ``writer/base.py``. The manifest that tells curator_dask's files
from a user's is ``OutputFolder`` (``writer/manifest.py``), re-exported here.

Both only read until they have refused or passed every writer, so a refused run changes nothing.
Paths are compared as names, with no listing: local paths (plain or ``file://``) resolved to
absolute real paths (symbolic links followed), URLs by protocol and path, a glob by its fixed
leading folder.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import posixpath
from collections.abc import Iterable
from typing import Any

from fsspec.core import split_protocol, url_to_fs
from fsspec.registry import get_filesystem_class

from curator_dask.errors import OutputError, OutputExistsError, OutputOverlapError
from curator_dask.stages.text.io.writer.base import BaseWriter
from curator_dask.stages.text.io.writer.manifest import OutputFolder
from curator_dask.utils.paths import GLOB_CHARS

__all__ = ["OutputFolder", "check_output_paths", "prepare_outputs"]

_LOCAL = (None, "file", "local")
_SHOWN = 5  # foreign names listed in a refusal

Location = tuple[str, str]  # (protocol, normalised path): what two paths are compared by


def check_output_paths(stages: Iterable[Any]) -> None:
    """Refuse, before any work, writer paths that would mix output with input or cannot be folders.

    Raises:
        OutputOverlapError: a writer's path is equal to, inside or contains a stage's ``file_paths``.
        OutputError: a writer's path is a file or lies under one, or two writers of one folder
            have different modes.
    """
    stages = list(stages)
    writers = _writers_by_folder(stages)
    inputs = [(stage, path) for stage in stages for path in _input_paths(stage)]
    for output, writer in writers.items():
        for stage, path in inputs:
            relation = _relation(output, _location(path))
            if relation:
                msg = (
                    f"Writer {writer.name!r} writes to {writer.path!r}, which {relation} the input path {path!r} "
                    f"of stage {getattr(stage, 'name', type(stage).__name__)!r}: the run would read its own output "
                    "or write among its input. Fix: write to a folder outside the input, one that neither is, "
                    "lies inside nor contains it."
                )
                raise OutputOverlapError(msg)
    for writer in writers.values():
        _check_folder_path(writer)


def _writers_by_folder(stages: Iterable[Any]) -> dict[Location, BaseWriter]:
    """The first writer of each output folder; two writers of one folder must share a mode."""
    writers: dict[Location, BaseWriter] = {}
    for stage in stages:
        if not isinstance(stage, BaseWriter):
            continue
        first = writers.setdefault(_location(stage.path), stage)
        if first.mode != stage.mode:
            msg = (
                f"Writers {first.name!r} (mode={first.mode!r}) and {stage.name!r} (mode={stage.mode!r}) both "
                f"write to {stage.path!r}. Fix: give them the same mode, or each its own folder."
            )
            raise OutputError(msg)
    return writers


def prepare_outputs(stages: Iterable[Any]) -> None:
    """Apply each writer's ``mode`` to its folder: once per folder, on the driver, before any work.

    Every writer's folder is checked (``check_output_paths``, then the refusals below) before any
    is changed, so nothing is removed for a pipeline that is refused. Calling it again before
    anything is written changes nothing.

    Raises:
        OutputExistsError: ``overwrite`` over foreign files, or ``error`` over a non-empty folder.
        OutputOverlapError, OutputError: see ``check_output_paths``.
    """
    stages = list(stages)
    check_output_paths(stages)
    folders = [
        (writer, OutputFolder(writer.path, writer.write_kwargs.get("storage_options")))
        for writer in _writers_by_folder(stages).values()
    ]
    for writer, folder in folders:
        _refuse(writer, folder)
    for writer, folder in folders:
        if writer.mode == "overwrite":
            folder.remove_ours()
        elif writer.mode == "ignore":
            folder.remove_partial_writes()
        folder.create()


def _refuse(writer: BaseWriter, folder: OutputFolder) -> None:
    """Raise if ``writer``'s mode may not start on ``folder`` as it is."""
    if not folder.fs.isdir(folder.root):
        return
    if writer.mode == "error" and folder.fs.ls(folder.root):
        msg = (
            f"Output folder {writer.path!r} of writer {writer.name!r} already exists and is not empty "
            "(mode='error'); nothing was touched. Fix: choose a new or empty folder, pass mode='overwrite' "
            "to replace what curator_dask wrote there, or mode='ignore' to add files beside what is there."
        )
        raise OutputExistsError(msg)
    foreign = folder.foreign() if writer.mode == "overwrite" else []
    if foreign:
        raise OutputExistsError(_foreign_message(writer, foreign))


def _foreign_message(writer: BaseWriter, foreign: list[str]) -> str:
    shown = ", ".join(repr(name) for name in foreign[:_SHOWN])
    more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
    return (
        f"Output folder {writer.path!r} of writer {writer.name!r} holds {len(foreign)} item(s) that "
        f"curator_dask did not write: {shown}{more}. mode='overwrite' removes only what a curator_dask "
        "writer wrote, so nothing was deleted. Fix: choose an empty or new folder, move those files away, "
        "or pass mode='ignore' to add files beside them."
    )


def _check_folder_path(writer: BaseWriter) -> None:
    """Refuse a writer path that is a file, or that lies under one (it could never be created)."""
    fs, path = url_to_fs(writer.path, **writer.write_kwargs.get("storage_options", {}))
    path = path.rstrip("/") or "/"
    if fs.isfile(path):
        msg = (
            f"Output path {writer.path!r} of writer {writer.name!r} is a file; a writer writes a folder of "
            "files. Fix: pass the path of a new or empty folder."
        )
        raise OutputError(msg)
    parent = posixpath.dirname(path)
    while parent and parent != path:
        if fs.exists(parent):
            if not fs.isdir(parent):
                shown = parent if "://" not in writer.path else fs.unstrip_protocol(parent)
                msg = (
                    f"Output path {writer.path!r} of writer {writer.name!r} is inside {shown!r}, which is a file. "
                    "Fix: pass a folder path that does not lie under a file, e.g. a new folder beside it."
                )
                raise OutputError(msg)
            return  # the nearest existing parent is a folder: the rest can be created
        path, parent = parent, posixpath.dirname(parent)


def _input_paths(stage: Any) -> list[str]:
    paths = getattr(stage, "file_paths", None)
    if isinstance(paths, str):
        return [paths]
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list | tuple) else []


def _location(path: str) -> Location:
    """``(protocol, path)`` of a local path or URL; a glob stands for its fixed leading folder."""
    protocol, bare = split_protocol(path.rsplit("::", maxsplit=1)[-1])  # a chained URL ends with its target
    fixed = itertools.takewhile(lambda part: not GLOB_CHARS & set(part), bare.split("/"))
    bare = "/".join(fixed) or ("/" if bare.startswith("/") else ".")
    if protocol in _LOCAL:
        return "file", os.path.realpath(bare)
    # The file system's own normal form (memory://a and memory:///a are one path); when its
    # package is not installed here, the path is compared as written.
    with contextlib.suppress(ImportError, ValueError):
        bare = get_filesystem_class(protocol)._strip_protocol(f"{protocol}://{bare}")
    return protocol, bare.rstrip("/") or "/"


def _relation(output: Location, source: Location) -> str | None:
    """How the output path relates to an input path, in words, when they overlap; else None."""
    if output[0] != source[0]:
        return None
    if output[1] == source[1]:
        return "is the same folder as"
    if _under(output[1], source[1]):
        return "is inside"
    if _under(source[1], output[1]):
        return "contains"
    return None


def _under(path: str, folder: str) -> bool:
    return folder == "/" or path.startswith(folder.rstrip("/") + "/")
