"""Listing input files, naming datasets, reading and writing small JSON files (NeMo Curator's names).

Listing works the same for local paths and any fsspec URL and is what ``FilePartitioningStage``
uses, so a reader and a user's own listing see the same files:

- hidden files (a name starting with ``.``) found in a folder are left out: writers keep their
  temporary files under such names. A file named on purpose is kept.
- an extension matches also behind a compression suffix (``a.jsonl.zst`` matches ``.jsonl``);
  NeMo Curator would leave such a file out.
- local folders are walked by ``walk_local``, the same under every fsspec version: directory
  links are followed, and a link back into a folder the walk is inside is an ``InputError``
  naming the link (fsspec either skips such links, losing their files, or lists forever).
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import stat
import uuid
from typing import Any, Literal

import fsspec
from fsspec.core import split_protocol, url_to_fs
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import glob_translate

from curator_dask.errors import ConfigError, InputError, OutputExistsError
from curator_dask.utils.paths import GLOB_CHARS

__all__ = [
    "COMPRESSION_SUFFIXES",
    "FILETYPE_TO_DEFAULT_EXTENSIONS",
    "create_or_overwrite_dir",
    "get_all_file_paths_and_size_under",
    "get_all_file_paths_under",
    "get_default_file_extensions",
    "glob_local",
    "infer_dataset_name_from_path",
    "list_path",
    "parse_bytes_string_to_int",
    "read_json_file",
    "walk_local",
    "write_json_file",
]

logger = logging.getLogger(__name__)

FILETYPE_TO_DEFAULT_EXTENSIONS: dict[str, list[str]] = {
    "jsonl": [".jsonl", ".json"],
    "parquet": [".parquet"],
    "megatron": [".bin", ".idx"],
}
COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2", ".xz")
PathKind = Literal["glob", "directory", "file", "missing"]


def get_default_file_extensions(input_filetype: str) -> list[str]:
    """The extensions a reader of ``input_filetype`` (``"jsonl"``, ``"parquet"``, ``"megatron"``) keeps."""
    try:
        return list(FILETYPE_TO_DEFAULT_EXTENSIONS[input_filetype])
    except KeyError:
        msg = (
            f"Unsupported filetype: {input_filetype!r}. Allowed: {sorted(FILETYPE_TO_DEFAULT_EXTENSIONS)}; "
            "or pass file_extensions=[...] yourself."
        )
        raise ConfigError(msg) from None


def parse_bytes_string_to_int(size: float | str) -> int:
    """Bytes in ``size``: a number, or a string such as ``"100"``, ``"5kB"``, ``"1.5 GiB"`` (dask's rules)."""
    from dask.utils import parse_bytes

    if isinstance(size, int | float) and not isinstance(size, bool):
        return int(size)
    try:
        return int(parse_bytes(size))
    except (ValueError, TypeError) as e:
        msg = f"Could not interpret {size!r} as a size in bytes ({e}). Pass e.g. 1000000, '100MB' or '1GiB'."
        raise ConfigError(msg) from None


def infer_dataset_name_from_path(path: str, *, path_kind: Literal["file", "directory"] = "file") -> str:
    """A dataset name from a path, lower-cased: a file's parent folder (or its stem), a folder's own name.

    For URLs (``s3://``, ``abfs://``...) the last part of the path is the name, as in NeMo Curator.
    """
    protocol, bare = split_protocol(path)
    if path_kind == "directory":
        return posixpath.basename(bare.rstrip("/")).lower()
    if protocol is not None:
        parts = bare.rstrip("/").split("/")
        return parts[0] if len(parts) <= 1 else parts[-1].lower()
    parent = posixpath.basename(posixpath.dirname(bare))
    if parent and parent != ".":
        return parent.lower()
    return posixpath.splitext(posixpath.basename(bare))[0].lower()


def read_json_file(path: str, fs: fsspec.AbstractFileSystem) -> dict[str, Any]:
    """The JSON object stored at ``path`` on ``fs``."""
    return json.loads(fs.read_text(path, encoding="utf-8"))


def write_json_file(path: str, payload: dict[str, Any], fs: fsspec.AbstractFileSystem) -> None:
    """Write ``payload`` (keys sorted, one line) to ``path`` on ``fs``, creating its folder.

    The text goes to a hidden temporary file beside ``path`` first and is then moved over it, so
    a reader never sees half a file (on object stores the move is a copy of a whole object).
    """
    parent = posixpath.dirname(path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    temp = posixpath.join(parent, f".{posixpath.basename(path)}.tmp-{uuid.uuid4().hex}")
    fs.write_text(temp, f"{json.dumps(payload, sort_keys=True)}\n", encoding="utf-8")
    if isinstance(fs, LocalFileSystem):
        os.replace(temp, path)  # atomic on one local file system
    else:
        fs.mv(temp, path)


def create_or_overwrite_dir(
    path: str, fs: fsspec.AbstractFileSystem | None = None, storage_options: dict[str, Any] | None = None
) -> None:
    """Make ``path`` an empty folder for curator_dask output, without deleting anything of the user's.

    NeMo Curator deletes whatever the folder holds. Here, as with a writer's ``mode="overwrite"``,
    only what curator_dask wrote there (the files its manifest lists, their temporary files and
    its ``.curator_dask/`` bookkeeping) is removed; a folder holding anything else is left as it
    is and ``OutputExistsError`` names what is in the way.

    Raises:
        ConfigError: both ``fs`` and ``storage_options`` were given.
        OutputExistsError: the folder holds files curator_dask did not write.
    """
    from curator_dask.stages.text.io.writer.manifest import OutputFolder

    if fs is not None and storage_options is not None:
        msg = "fs and storage_options cannot be provided together: pass the file system, or the options to make one"
        raise ConfigError(msg)
    folder = OutputFolder(path, storage_options)
    if fs is not None:
        folder.fs, folder.root = fs, (fs._strip_protocol(path).rstrip("/") or "/")
    if folder.fs.isdir(folder.root):
        foreign = folder.foreign()
        if foreign:
            shown = ", ".join(repr(name) for name in foreign[:5])
            msg = (
                f"Output directory {path!r} holds {len(foreign)} item(s) curator_dask did not write: {shown}"
                f"{' ...' if len(foreign) > 5 else ''}. Nothing was deleted. Fix: choose an empty or new "
                "folder, or move those files away."
            )
            raise OutputExistsError(msg)
        folder.remove_ours()
    folder.fs.makedirs(folder.root, exist_ok=True)


def get_all_file_paths_under(
    path: str,
    recurse_subdirectories: bool = False,
    keep_extensions: str | list[str] | None = None,
    storage_options: dict[str, Any] | None = None,
    fs: fsspec.AbstractFileSystem | None = None,
) -> list[str]:
    """Sorted paths of the files under ``path`` (a folder, a glob or a file) with one of ``keep_extensions``.

    A missing path gives an empty list. URLs keep their protocol; local paths stay plain.
    """
    listed = list_path(path, recurse_subdirectories, keep_extensions, storage_options, fs)[1]
    return sorted(listed)


def get_all_file_paths_and_size_under(
    path: str,
    recurse_subdirectories: bool = False,
    keep_extensions: str | list[str] | None = None,
    storage_options: dict[str, Any] | None = None,
    fs: fsspec.AbstractFileSystem | None = None,
    sort_by_size: bool = True,
) -> list[tuple[str, int]]:
    """``(path, size in bytes)`` of the same files, smallest first (ties by path), or by path.

    Sizes are ``-1`` where the file system reports none.
    """
    listed = list_path(path, recurse_subdirectories, keep_extensions, storage_options, fs)[1]
    return sorted(listed.items(), key=(lambda f: (f[1], f[0])) if sort_by_size else (lambda f: f[0]))


def list_path(
    path: str,
    recursive: bool,
    extensions: str | list[str] | None,
    storage_options: dict[str, Any] | None = None,
    fs: fsspec.AbstractFileSystem | None = None,
) -> tuple[PathKind, dict[str, int]]:
    """What ``path`` is (a glob, a directory, a file or missing) and its matching files with sizes.

    ``recursive=False`` lists a folder one level deep. ``extensions=None`` keeps every file.
    """
    if fs is None:
        fs, fs_path = url_to_fs(path, **(storage_options or {}))
    else:
        fs_path = fs._strip_protocol(path)
    local = isinstance(fs, LocalFileSystem)
    sizes: dict[str, int]
    kind: PathKind
    if any(c in fs_path for c in GLOB_CHARS):
        kind = "glob"
        sizes = glob_local(fs_path) if local else _sizes(fs.glob(fs_path, detail=True))
    elif fs.isdir(fs_path):
        kind, depth = "directory", None if recursive else 1
        sizes = walk_local(fs_path, depth) if local else _sizes(fs.find(fs_path, maxdepth=depth, detail=True))
    elif fs.exists(fs_path) or (local and os.path.islink(fs_path)):
        # A link that loops is kept too: the reader names it as a bad file.
        kind, sizes = "file", {fs_path: _size(fs, fs_path)}
    else:
        return "missing", {}
    wanted = _normalised(extensions)
    keep = {}
    for file_path, size in sizes.items():
        hidden = posixpath.basename(file_path).startswith(".") and file_path != fs_path
        if not hidden and (wanted is None or _matches(file_path, wanted)):
            keep[_with_protocol(fs, file_path)] = size
    if len(keep) < len(sizes):
        logger.debug("%s: kept %d of %d files matching %s", path, len(keep), len(sizes), extensions)
    return kind, keep


def _normalised(extensions: str | list[str] | None) -> tuple[str, ...] | None:
    if extensions is None:
        return None
    items = [extensions] if isinstance(extensions, str) else extensions
    return tuple(e.casefold() if e.startswith(".") else f".{e.casefold()}" for e in items)


def _matches(path: str, extensions: tuple[str, ...]) -> bool:
    name = posixpath.basename(path).casefold()
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix) and not name.endswith(extensions):
            name = name[: -len(suffix)]
            break
    return name.endswith(extensions)


def walk_local(root: str, maxdepth: int | None) -> dict[str, int]:
    """Regular files below local folder ``root`` (``maxdepth`` levels; None: all) with their sizes.

    Directory links are followed; one leading back into a folder the walk is already inside
    would never end, and is an ``InputError``. A file link that loops or dangles is listed with
    size ``-1``, so the reader reports it as one bad file (which ``on_error="skip"`` can count).
    """
    found: dict[str, int] = {}
    root_stat = os.stat(root)
    pending = [(root, 1, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while pending:
        directory, depth, inside = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    info = entry.stat()  # follows links
                except OSError:
                    found[entry.path] = -1
                    continue
                if stat.S_ISREG(info.st_mode):
                    found[entry.path] = info.st_size
                elif stat.S_ISDIR(info.st_mode) and (maxdepth is None or depth < maxdepth):
                    key = (info.st_dev, info.st_ino)
                    if key in inside:
                        raise InputError(_loop_message(entry.path, root))
                    pending.append((entry.path, depth + 1, inside | {key}))
    return found


def glob_local(pattern: str) -> dict[str, int]:
    """Local files matching ``pattern`` (fsspec's glob rules), listed by ``walk_local``."""
    parts = pattern.split("/")
    static = next(i for i, part in enumerate(parts) if any(c in part for c in GLOB_CHARS))
    root = "/".join(parts[:static]) or "/"
    if not os.path.isdir(root):
        return {}
    depth = None if "**" in pattern else len(parts) - static
    matcher = re.compile(glob_translate(pattern))
    return {path: size for path, size in walk_local(root, depth).items() if matcher.match(path)}


def _loop_message(link: str, root: str) -> str:
    return (
        f"Input folder {root!r} holds a symbolic link loop: {link!r} points to {os.path.realpath(link)!r}, "
        "a folder that listing is already inside, so the listing would never end. Fix: remove or "
        "re-point the link, or name the folders to read in file_paths instead."
    )


def _sizes(listing: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Sizes of the files (not folders) of an fsspec listing; ``-1`` where it reports none."""
    return {
        path: int(info["size"]) if info.get("size") is not None else -1
        for path, info in listing.items()
        if info.get("type") != "directory"
    }


def _size(fs: fsspec.AbstractFileSystem, path: str) -> int:
    try:
        size = fs.size(path)
    except OSError:  # a link that loops or dangles: the reader reports it
        return -1
    return int(size) if size is not None else -1


def _with_protocol(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """Local paths stay plain; other file systems keep their protocol so readers find them."""
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return path if "file" in protocols else fs.unstrip_protocol(path)
