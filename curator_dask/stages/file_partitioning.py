"""``FilePartitioningStage``: the source stage that turns input paths into ``FileGroupTask``s.

Paths may be local or any fsspec URL (``s3://``, ``memory://``, ``file://``...). A string is a
directory (listed recursively), a glob, or one file; a list holds files, directories (listed one
level deep) and globs, as in NeMo Curator. Files whose name starts with ``.`` are left out of
directory listings: writers keep their temporary files under such names.

Nothing a user named is dropped without a word: every entry of a list must match at least one
file (else ``InputError`` names the entries and the extensions looked for), and local paths are
made absolute when the stage is built, so workers started in another directory read the same
files. Local folders are walked by ``_local_listing``, which follows directory links and names
a link loop in an ``InputError`` instead of listing forever.
"""

from __future__ import annotations

import logging
import os
import posixpath
from dataclasses import dataclass
from typing import Any

import fsspec
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from curator_dask.errors import InputError
from curator_dask.stages._local_listing import glob_local, walk_local
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.tasks import EmptyTask, FileGroupTask
from curator_dask.utils.paths import GLOB_CHARS, absolute_path

__all__ = ["COMPRESSION_SUFFIXES", "FILETYPE_TO_DEFAULT_EXTENSIONS", "FilePartitioningStage"]

logger = logging.getLogger(__name__)

FILETYPE_TO_DEFAULT_EXTENSIONS: dict[str, list[str]] = {"jsonl": [".jsonl", ".json"], "parquet": [".parquet"]}
# A compressed file keeps its format's extension in front of the codec's (``a.jsonl.zst``), so
# it matches ``.jsonl``; NeMo Curator would drop it, which loses data without a word.
COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2", ".xz")
_RECOMMENDED_MAX_BLOCKSIZE = 512 * 10**6
# What an entry of a list that matched nothing was, as its error message says it.
_NOTHING_IN = {
    "glob": "a glob matching no such file",
    "directory": "a folder holding no such file; list entries are read one level deep",
    "file": "a file whose name has none of these extensions",
    "missing": "does not exist",
}


def _matches(path: str, extensions: tuple[str, ...]) -> bool:
    name = posixpath.basename(path).casefold()
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.endswith(extensions)


def _parse_blocksize(blocksize: int | str) -> int:
    from dask.utils import parse_bytes

    size = parse_bytes(blocksize)
    if size <= 0:
        msg = f"blocksize must be positive, got {blocksize!r}; pass e.g. blocksize='256MiB'"
        raise ValueError(msg)
    return size


@dataclass
class FilePartitioningStage(ProcessingStage[EmptyTask, FileGroupTask]):
    """Lists input files and groups them into ``FileGroupTask``s, one per reader task.

    Args:
        file_paths: a directory, a glob, a file, or a list of them; local or fsspec URLs.
        files_per_partition: files per group. With neither this nor ``blocksize``, one file per group.
        blocksize: target total size (compressed bytes) per group, an int or a string like ``"1GiB"``.
            Files are packed smallest first; a file larger than the blocksize gets a group of its own.
        file_extensions: keep files ending in one of these (also with a ``.gz``/``.zst``/``.bz2``/
            ``.xz`` suffix). Defaults to JSONL and Parquet extensions.
        storage_options: fsspec options for the file system (credentials, endpoints).
        limit: at most this many groups (the first ones in order); ``None`` for all.

    Groups are deterministic: files sorted by path (by size then path with ``blocksize``), and
    each task's id segment is the hash of its paths. A missing path, no matching files at all,
    an entry of a list that matches no file, or a directory link loop raises ``InputError``;
    building the stage only makes local paths absolute and touches no file.
    """

    file_paths: str | list[str]
    files_per_partition: int | None = None
    blocksize: int | str | None = None
    file_extensions: list[str] | None = None
    storage_options: dict[str, Any] | None = None
    limit: int | None = None
    name: str = "file_partitioning"

    # An EmptyTask in, the work out: this is where a reading pipeline starts, wherever it sits.
    is_source_stage = True

    def __post_init__(self) -> None:
        if self.files_per_partition is not None and self.blocksize is not None:
            msg = "Both 'files_per_partition' and 'blocksize' were specified, but only one is allowed"
            raise ValueError(msg)
        if self.files_per_partition is not None and self.files_per_partition < 1:
            msg = f"files_per_partition must be a positive int, got {self.files_per_partition!r}"
            raise ValueError(msg)
        paths = self.file_paths
        if not isinstance(paths, str) and not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
            msg = f"file_paths must be a string or a list of strings, got {self.file_paths!r}"
            raise TypeError(msg)
        # A new list: the caller's stays as they wrote it.
        self.file_paths = absolute_path(paths) if isinstance(paths, str) else [absolute_path(p) for p in paths]
        if self.file_extensions is None:
            self.file_extensions = [e for exts in FILETYPE_TO_DEFAULT_EXTENSIONS.values() for e in exts]
        self.storage_options = dict(self.storage_options or {})
        self._blocksize = _parse_blocksize(self.blocksize) if self.blocksize is not None else None
        if self._blocksize is not None and self._blocksize > _RECOMMENDED_MAX_BLOCKSIZE:
            logger.warning(
                "blocksize %r is above the recommended 512 MB; readers may run out of memory", self.blocksize
            )
        self.resources = Resources(cpus=0.5)

    def num_workers(self) -> int | None:
        return 1

    def process(self, task: EmptyTask) -> list[FileGroupTask]:
        files = self.list_files()
        if self._blocksize is not None:
            groups = self._partition_by_size(files, self._blocksize)
        else:
            count = self.files_per_partition or 1
            paths = [path for path, _ in files]
            groups = [paths[i : i + count] for i in range(0, len(paths), count)]
        if self.limit is not None:
            groups = groups[: self.limit]
        dataset_name = _dataset_name(files[0][0])
        reader_config = {"storage_options": dict(self.storage_options)} if self.storage_options else {}
        return [
            FileGroupTask(
                dataset_name=dataset_name,
                data=list(group),
                reader_config=dict(reader_config),
                _metadata={"partition_index": i, "total_partitions": len(groups), "source_files": list(group)},
            )
            for i, group in enumerate(groups)
        ]

    # -- listing ----------------------------------------------------------------------------
    def list_files(self) -> list[tuple[str, int]]:
        """``(path, size in bytes)`` of every matching input file, sorted by path, no repeats.

        Sizes are ``-1`` where the file system does not report one.
        """
        single = isinstance(self.file_paths, str)
        entries = [self.file_paths] if isinstance(self.file_paths, str) else self.file_paths
        found: dict[str, int] = {}
        unmatched = []
        for entry in entries:
            kind, files = self._list_one(entry, recursive=single)
            if single and kind == "missing":
                raise InputError(self._missing_message(entry))
            if not files:
                unmatched.append(f"{entry!r} ({_NOTHING_IN[kind]})")
            found.update(files)
        if unmatched and not single:  # where other entries match, these would be left out unseen
            raise InputError(self._unmatched_message(unmatched, len(entries)))
        if not found:
            raise InputError(self._no_files_message())
        return sorted(found.items())

    def _extensions(self) -> tuple[str, ...]:
        return tuple(e.casefold() if e.startswith(".") else f".{e.casefold()}" for e in self.file_extensions or [])

    def _list_one(self, path: str, recursive: bool) -> tuple[str, dict[str, int]]:
        """What ``path`` is (glob, directory, file or missing) and its matching files with sizes."""
        fs, fs_path = url_to_fs(path, **(self.storage_options or {}))
        local = isinstance(fs, LocalFileSystem)
        sizes: dict[str, int]
        if any(c in fs_path for c in GLOB_CHARS):
            kind = "glob"
            sizes = glob_local(fs_path) if local else _sizes(fs.glob(fs_path, detail=True))
        elif fs.isdir(fs_path):
            kind, depth = "directory", None if recursive else 1
            sizes = walk_local(fs_path, depth) if local else _sizes(fs.find(fs_path, maxdepth=depth, detail=True))
        elif fs.exists(fs_path) or (local and os.path.islink(fs_path)):
            # A file named on purpose is kept even if hidden, but still has to match the extensions.
            # A link that loops is kept too: the reader names it as a bad file.
            kind, sizes = "file", {fs_path: _size(fs, fs_path)}
        else:
            return "missing", {}
        extensions = self._extensions()
        keep = {}
        for file_path, size in sizes.items():
            hidden = posixpath.basename(file_path).startswith(".") and file_path != fs_path
            if not hidden and _matches(file_path, extensions):
                keep[_with_protocol(fs, file_path)] = size
        if len(keep) < len(sizes):
            logger.debug("%s: kept %d of %d files matching %s", path, len(keep), len(sizes), list(extensions))
        return kind, keep

    def _missing_message(self, path: str) -> str:
        return (
            f"Input path {path!r} does not exist. Looked for files ending in {list(self._extensions())}. "
            "Fix the path (or its storage_options), or remove it from file_paths."
        )

    def _no_files_message(self) -> str:
        return (
            f"No input files found under {self.file_paths!r} with extensions {self.file_extensions}. "
            "Check the path, or pass file_extensions=[...] to the reader to match your files' names "
            "(compressed files such as 'a.jsonl.gz' match '.jsonl')."
        )

    def _unmatched_message(self, unmatched: list[str], total: int) -> str:
        return (
            f"{len(unmatched)} of the {total} entries of file_paths match no input file with extensions "
            f"{self.file_extensions} (compressed names such as 'a.jsonl.gz' match '.jsonl'): "
            f"{'; '.join(unmatched)}. Fix or remove each of these entries (or their storage_options), "
            "or pass file_extensions=[...] to the reader to match your files' names."
        )

    @staticmethod
    def _partition_by_size(files: list[tuple[str, int]], blocksize: int) -> list[list[str]]:
        # Smallest first packs more files per group (NeMo Curator's order); ties broken by path
        # keep the groups identical from run to run.
        groups: list[list[str]] = []
        current: list[str] = []
        current_size = 0
        for path, size in sorted(files, key=lambda f: (f[1], f[0])):
            if current and current_size + max(size, 0) > blocksize:
                groups.append(sorted(current))
                current, current_size = [], 0
            current.append(path)
            current_size += max(size, 0)
        if current:
            groups.append(sorted(current))
        return groups

    def get_description(self) -> str:
        how = f"{self.files_per_partition or 1} files" if self._blocksize is None else f"blocksize {self.blocksize}"
        return f"Partition files under {self.file_paths} by {how}"


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


def _dataset_name(first_file: str) -> str:
    """The name of the first file's directory, as NeMo Curator infers it."""
    _, bare = fsspec.core.split_protocol(first_file)
    parent = posixpath.basename(posixpath.dirname(bare.rstrip("/")))
    return (parent or posixpath.splitext(posixpath.basename(bare))[0] or "dataset").lower()
