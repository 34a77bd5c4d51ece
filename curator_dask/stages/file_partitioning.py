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
from dataclasses import dataclass
from typing import Any

from curator_dask.errors import ConfigError, ConfigTypeError, InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.tasks import EmptyTask, FileGroupTask
from curator_dask.utils.file_utils import (
    COMPRESSION_SUFFIXES,
    FILETYPE_TO_DEFAULT_EXTENSIONS,
    infer_dataset_name_from_path,
    list_path,
    parse_bytes_string_to_int,
)
from curator_dask.utils.paths import absolute_path

__all__ = ["COMPRESSION_SUFFIXES", "FILETYPE_TO_DEFAULT_EXTENSIONS", "FilePartitioningStage"]

logger = logging.getLogger(__name__)

# Above this a reader's batch may not fit in a worker's memory (NeMo Curator's figure and default).
_RECOMMENDED_MAX_BLOCKSIZE = 512 * 10**6
_DEFAULT_EXTENSIONS = [*FILETYPE_TO_DEFAULT_EXTENSIONS["jsonl"], *FILETYPE_TO_DEFAULT_EXTENSIONS["parquet"]]
# What an entry of a list that matched nothing was, as its error message says it.
_NOTHING_IN = {
    "glob": "a glob matching no such file",
    "directory": "a folder holding no such file; list entries are read one level deep",
    "file": "a file whose name has none of these extensions",
    "missing": "does not exist",
}


def _parse_blocksize(blocksize: int | str) -> int:
    size = parse_bytes_string_to_int(blocksize)
    if size <= 0:
        msg = f"blocksize must be positive, got {blocksize!r}; pass e.g. blocksize='256MiB'"
        raise ConfigError(msg)
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
            msg = (
                "Both 'files_per_partition' and 'blocksize' were specified, but only one is allowed: "
                f"got files_per_partition={self.files_per_partition!r}, blocksize={self.blocksize!r}"
            )
            raise ConfigError(msg)
        if self.files_per_partition is not None and self.files_per_partition < 1:
            msg = f"files_per_partition must be a positive int, got {self.files_per_partition!r}"
            raise ConfigError(msg)
        paths = self.file_paths
        if not isinstance(paths, str) and not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
            msg = f"Invalid file paths: {self.file_paths!r}; file_paths must be a string or a list of strings"
            raise ConfigTypeError(msg)
        # A new list: the caller's stays as they wrote it.
        self.file_paths = absolute_path(paths) if isinstance(paths, str) else [absolute_path(p) for p in paths]
        if self.file_extensions is None:
            self.file_extensions = list(_DEFAULT_EXTENSIONS)
        self.storage_options = dict(self.storage_options or {})
        self._blocksize = _parse_blocksize(self.blocksize) if self.blocksize is not None else None
        if self._blocksize is not None and self._blocksize > _RECOMMENDED_MAX_BLOCKSIZE:
            logger.warning(
                "Blocksize is greater than 512 MB, which is not recommended: %r. Readers may run out of "
                "memory; consider a smaller blocksize.",
                self.blocksize,
            )
        self.resources = Resources(cpus=0.5)

    def num_workers(self) -> int | None:
        return 1

    def process(self, task: EmptyTask) -> list[FileGroupTask]:
        files = self.list_files()
        if self._blocksize is not None:
            groups = self._partition_by_size(files, self._blocksize)
        else:
            groups = self._partition_by_count([path for path, _ in files], self.files_per_partition or 1)
        self._warn_oversized(groups, dict(files))
        total = len(groups)  # NeMo Curator counts the partitions before the limit
        if self.limit is not None:
            groups = groups[: self.limit]
        return self._file_group_tasks(groups, total, self._get_dataset_name([path for path, _ in files]))

    def _file_group_tasks(self, groups: list[list[str]], total: int, dataset_name: str) -> list[FileGroupTask]:
        """One task per group; ``storage_options`` travel in ``reader_config`` for the reader."""
        reader_config = {"storage_options": dict(self.storage_options)} if self.storage_options else {}
        return [
            FileGroupTask(
                dataset_name=dataset_name,
                data=list(group),
                reader_config=dict(reader_config),
                _metadata={"partition_index": i, "total_partitions": total, "source_files": list(group)},
            )
            for i, group in enumerate(groups)
        ]

    def _warn_oversized(self, groups: list[list[str]], sizes: dict[str, int]) -> None:
        """Warn, as NeMo Curator does, of a group above the blocksize (512 MB without one).

        With ``blocksize`` that happens only when one file alone is larger; it is read whole.
        """
        if any(size < 0 for size in sizes.values()):
            logger.warning("Skipping storage limit check because some files have unknown size")
            return
        limit = self._blocksize or _RECOMMENDED_MAX_BLOCKSIZE
        fix = (
            "increase blocksize if possible (at most 512 MB is recommended)"
            if self._blocksize is not None
            else "reduce files_per_partition, or set blocksize instead"
        )
        for group in groups:
            total = sum(sizes[path] for path in group)
            if total > limit:
                logger.warning(
                    "File group task has exceeded the storage limit per partition: %s. Total storage size is "
                    "%d bytes (limit %d bytes); a reader loads it whole. Fix: %s, or split files larger "
                    "than the limit into smaller ones.",
                    group,
                    total,
                    limit,
                    fix,
                )

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
            kind, files = list_path(entry, single, self.file_extensions or [], self.storage_options)
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

    def _get_file_list_with_sizes(self, sort_by_size: bool = True) -> list[tuple[str, int]]:
        """``list_files()`` smallest first (ties by path), or by path: NeMo Curator's name for it."""
        files = self.list_files()
        return sorted(files, key=lambda f: (f[1], f[0])) if sort_by_size else files

    def _extensions(self) -> list[str]:
        return [e.casefold() if e.startswith(".") else f".{e.casefold()}" for e in self.file_extensions or []]

    def _missing_message(self, path: str) -> str:
        return (
            f"Input path {path!r} does not exist. Looked for files ending in {self._extensions()}. "
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
    def _partition_by_count(files: list[str], count: int) -> list[list[str]]:
        return [files[i : i + count] for i in range(0, len(files), count)]

    @staticmethod
    def _get_dataset_name(files: list[str]) -> str:
        """The dataset name NeMo Curator infers from the first file (``"dataset"`` with none)."""
        return infer_dataset_name_from_path(files[0]) if files else "dataset"

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
