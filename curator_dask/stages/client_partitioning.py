"""``ClientPartitioningStage``: file groups from a root folder, or from a JSON list of its files.

NeMo Curator's stage for inputs a client names (a bucket prefix, or a list of objects someone
wrote down) rather than a local folder. ``file_paths`` is the root; its files are listed with
fsspec (recursively, hidden files left out, as ``FilePartitioningStage`` does), or read from
``input_list_json_path``, a JSON array of full paths that must all lie under the root.
``limit`` keeps the first files (sorted by path) before they are grouped, as NeMo Curator does.

Differences from NeMo Curator: a root that does not exist is an ``InputError`` (NeMo returns no
tasks; a root with no matching file gives none here too, with a warning); ``process`` opens the
file system itself when ``setup`` was not called; and the groups hold plain path strings (URLs
keep their protocol; ``storage_options`` travel in the task's ``reader_config``) instead of
NeMo's private ``FSPath`` objects, so the readers take them as they take any other group.
"""

from __future__ import annotations

import json
import logging
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import fsspec
from fsspec.core import url_to_fs

from curator_dask.errors import ConfigTypeError, InputError
from curator_dask.stages.file_partitioning import FilePartitioningStage
from curator_dask.tasks import EmptyTask, FileGroupTask
from curator_dask.utils.file_utils import list_path

if TYPE_CHECKING:
    from curator_dask.backends.base import WorkerMetadata

__all__ = ["ClientPartitioningStage"]

logger = logging.getLogger(__name__)


@dataclass
class ClientPartitioningStage(FilePartitioningStage):
    """Groups the files under the root ``file_paths`` (or those a JSON list names) into ``FileGroupTask``s.

    Args:
        file_paths: the root folder, local or an fsspec URL.
        input_list_json_path: a JSON file (local or URL) holding an array of full paths under the
            root; when given, only these files are used (each must exist with a kept extension).
        files_per_partition, file_extensions, storage_options: as for ``FilePartitioningStage``.
        limit: use only the first this-many files, sorted by path.
    """

    input_list_json_path: str | None = None
    name: str = "client_partitioning"
    _fs: fsspec.AbstractFileSystem | None = field(default=None, init=False, repr=False)
    _root: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.file_paths, str):
            msg = (
                f"ClientPartitioningStage takes one root folder as file_paths, got {self.file_paths!r}. "
                "Fix: pass the folder, and list its files in input_list_json_path if only some are wanted."
            )
            raise ConfigTypeError(msg)

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        """Open the root's file system (once per worker, as NeMo Curator does)."""
        self._fs, self._root = url_to_fs(str(self.file_paths), **(self.storage_options or {}))

    def process(self, task: EmptyTask) -> list[FileGroupTask]:
        relative = self._list_relative()  # opens the file system if setup() was not called
        wanted = tuple(e.lower() for e in self.file_extensions or [])
        if wanted:
            relative = [p for p in relative if p.lower().endswith(wanted)]
        if self.limit is not None and self.limit > 0:
            relative = relative[: self.limit]
        if not relative:
            logger.warning(
                "No files with extensions %s under %r%s; no tasks made. Check the path and file_extensions.",
                self.file_extensions,
                self.file_paths,
                f" listed in {self.input_list_json_path!r}" if self.input_list_json_path else "",
            )
            return []
        fs, root = self._opened()
        paths = [posixpath.join(root.rstrip("/"), p) for p in relative]
        if "://" in str(self.file_paths):  # a URL root: keep the protocol, so readers find the files
            paths = [fs.unstrip_protocol(p) for p in paths]
        groups = self._partition_by_count(paths, self.files_per_partition or 1)
        return self._file_group_tasks(groups, len(groups), self._get_dataset_name([str(self.file_paths)]))

    def _list_relative(self) -> list[str]:
        """The files under the root (or those the JSON list names), relative to it, sorted, no repeats."""
        fs, root = self._opened()
        if self.input_list_json_path:
            return _read_list_json_rel(
                _strip(fs, str(self.file_paths)), self.input_list_json_path, self.storage_options or {}
            )
        if not fs.exists(root):
            msg = f"Input root {self.file_paths!r} does not exist. Fix the path (or its storage_options)."
            raise InputError(msg)
        _, found = list_path(root, True, None, fs=fs)
        return sorted({posixpath.relpath(_strip(fs, p), root) for p in found})

    def _opened(self) -> tuple[fsspec.AbstractFileSystem, str]:
        # NeMo Curator raises when setup() was not called; opening the file system is all it does.
        if self._fs is None or self._root is None:
            self.setup()
        return self._fs, self._root  # type: ignore[return-value]


def _strip(fs: fsspec.AbstractFileSystem, path: str) -> str:
    return fs._strip_protocol(path) if "://" in path else path


def _read_list_json_rel(root: str, json_url: str, storage_options: dict[str, Any]) -> list[str]:
    """The entries of the JSON array at ``json_url``, relative to ``root``; no repeats, sorted (NeMo's helper).

    Raises:
        ConfigTypeError: the JSON is not an array (also a ``TypeError``, as in NeMo Curator).
        InputError: an entry outside ``root`` (also a ``ValueError``).
    """
    with fsspec.open(json_url, "rb", **storage_options) as f:
        data = json.load(f)
    if not isinstance(data, list):
        msg = f"List JSON at {json_url} must be an array of paths under {root!r}, got a {type(data).__name__}."
        raise ConfigTypeError(msg)
    prefix = root.rstrip("/") + "/"
    listed = [str(p) for p in data]
    outside = [p for p in listed if not p.startswith(prefix)]
    if outside:
        msg = (
            f"Input path {outside[0]} is not under root {prefix} ({len(outside)} of the {len(listed)} entries of "
            f"{json_url} are not). Fix: list full paths under the root, or change file_paths to their folder."
        )
        raise InputError(msg)
    return sorted({p[len(prefix) :] for p in listed})
