"""An output folder's manifest: the files curator_dask wrote there, so it can tell them from yours.

curator_dask keeps an output folder's bookkeeping under ``<path>/.curator_dask/``: the resume
markers (``done/``, the executor's) and the manifest (``written/``). Before a writer writes
``<name>`` it records the entry ``written/<name>.entry``, then writes ``.<name>.tmp-<32 hex>``
and renames it to ``<name>``, so every data file and every temporary file a killed worker left
behind can be traced to an entry, whichever step the crash came after. A file is *ours* when
the manifest lists it, or when it is the temporary file of a listed name; ``.curator_dask/`` is
ours as a whole; everything else (a user's ``.notes.tmp-keep`` included) is foreign and is never
deleted. Entries carry the ``.entry`` suffix so that a reader pointed at the output folder (which
lists it recursively and skips hidden *files*, not hidden folders) never reads an entry as data.
Works on any fsspec file system.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsspec.core import url_to_fs

from curator_dask.errors import OutputError

__all__ = ["BOOKKEEPING", "Listing", "OutputFolder", "record_written"]

BOOKKEEPING = ".curator_dask"
_MANIFEST = f"{BOOKKEEPING}/written"
_ENTRY_SUFFIX = ".entry"
# Exactly what BaseWriter.process names its temporary files: ".<name>.tmp-<32 random hex>".
_TEMP = re.compile(r"^\.(?P<target>.+)\.tmp-[0-9a-f]{32}$")


@dataclass(slots=True)
class Listing:
    """What an output folder holds, as paths relative to it (foreign folders end in ``/``)."""

    data: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


class OutputFolder:
    """An output folder and its manifest of the files curator_dask wrote there.

    Args:
        path: the folder, local or an fsspec URL.
        storage_options: fsspec options for its file system.
    """

    def __init__(self, path: str, storage_options: dict[str, Any] | None = None) -> None:
        self.path = path
        self.fs, root = url_to_fs(path, **(storage_options or {}))
        self.root = root.rstrip("/") or "/"

    def _abs(self, relative: str) -> str:
        return f"{self.root.rstrip('/')}/{relative}" if relative else self.root

    def record(self, name: str) -> None:
        """Enter ``name`` (a path relative to the folder) in the manifest, before it is written."""
        parts = name.split("/")
        if not name or name.startswith("/") or ".." in parts or parts[0] == BOOKKEEPING:
            msg = f"Cannot record {name!r} in the manifest of {self.path!r}: expected a relative path inside it."
            raise OutputError(msg)
        entry = self._abs(f"{_MANIFEST}/{name}{_ENTRY_SUFFIX}")
        self.fs.makedirs(posixpath.dirname(entry), exist_ok=True)  # also creates the folder itself
        self.fs.touch(entry)

    def recorded(self) -> set[str]:
        """The names in the manifest (files written, or about to be)."""
        manifest = self._abs(_MANIFEST)
        if not self.fs.isdir(manifest):
            return set()
        prefix = f"{manifest}/"
        found = self.fs.find(manifest, withdirs=False)
        return {
            p[len(prefix) : -len(_ENTRY_SUFFIX)] for p in found if p.startswith(prefix) and p.endswith(_ENTRY_SUFFIX)
        }

    def scan(self) -> Listing:
        """Sort what the folder holds into ours (data, partial writes) and foreign.

        Only folders that hold a listed name are walked; any other folder is foreign as a whole.
        """
        self.fs.invalidate_cache()  # an object store's cached listing may predate our own writes
        listing = Listing()
        if not self.fs.isdir(self.root):
            return listing
        names = self.recorded()
        ancestors = _folders_above(names)
        pending = [""]
        while pending:
            folder = pending.pop()
            for info in self.fs.ls(self._abs(folder), detail=True):
                base = posixpath.basename(info["name"].rstrip("/"))
                relative = posixpath.join(folder, base)
                if not folder and base == BOOKKEEPING:
                    continue
                temp = _TEMP.match(base)
                if info.get("type") == "directory":
                    if relative in ancestors:
                        pending.append(relative)
                        listing.folders.append(relative)
                    else:
                        listing.foreign.append(f"{relative}/")
                elif relative in names:
                    listing.data.append(relative)
                elif temp and posixpath.join(folder, temp["target"]) in names:
                    listing.partial.append(relative)
                else:
                    listing.foreign.append(relative)
        for kind in (listing.data, listing.partial, listing.foreign):
            kind.sort()
        return listing

    def ours(self) -> list[str]:
        """Our data files and partial writes present in the folder, relative to it."""
        listing = self.scan()
        return sorted(listing.data + listing.partial)

    def foreign(self) -> list[str]:
        """Everything else the folder holds (``.curator_dask/`` aside), relative to it."""
        return self.scan().foreign

    def remove_partial_writes(self) -> None:
        """Delete the temporary files of listed names, then the entries whose file never arrived."""
        listing = self.scan()
        self._rm(listing.partial)
        missing = self.recorded() - set(listing.data)
        self._rm([f"{_MANIFEST}/{name}{_ENTRY_SUFFIX}" for name in sorted(missing)])

    def remove_ours(self) -> None:
        """Delete our files and partial writes, the folders that held only those, and ``.curator_dask/``.

        The order makes an interrupted removal safe to repeat or resume from: first the resume
        markers (which claim output exists), then the data, and the manifest last, so that the
        next removal still finds whatever is left.
        """
        listing = self.scan()
        bookkeeping = self._abs(BOOKKEEPING)
        if self.fs.isdir(bookkeeping):
            markers = [p for p in self.fs.ls(bookkeeping, detail=False) if p.rstrip("/") != self._abs(_MANIFEST)]
            if markers:
                self.fs.rm(markers, recursive=True)
        self._rm(listing.data + listing.partial)
        if self.fs.exists(bookkeeping):
            self.fs.rm(bookkeeping, recursive=True)
        for folder in sorted(listing.folders, key=lambda f: f.count("/"), reverse=True):
            path = self._abs(folder)
            # An empty folder that will not go (a symbolic link, say) is harmless: leave it.
            with contextlib.suppress(OSError):
                if self.fs.isdir(path) and not self.fs.ls(path):
                    self.fs.rmdir(path)

    def create(self) -> None:
        """Create the folder (and its parents) when it is missing."""
        self.fs.makedirs(self.root, exist_ok=True)

    def _rm(self, relatives: list[str]) -> None:
        if relatives:
            self.fs.rm([self._abs(r) for r in relatives])


def _folders_above(names: Iterable[str]) -> set[str]:
    """Every folder (relative, ``""`` left out) that holds one of ``names``, however deep."""
    folders = set()
    for name in names:
        folder = posixpath.dirname(name)
        while folder:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


def record_written(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Record local files, before writing them, in the manifest of the output folder around them.

    The output folder is the nearest parent holding a ``.curator_dask/`` folder; files outside any
    output folder are not recorded. Used for the run report, so that ``mode='overwrite'`` may
    replace a report that a former run wrote into its output folder.
    """
    for path in paths:
        target = Path(os.path.abspath(path))
        for parent in target.parents:
            if (parent / BOOKKEEPING).is_dir():
                relative = target.relative_to(parent).as_posix()
                if not relative.startswith(f"{BOOKKEEPING}/"):
                    OutputFolder(str(parent)).record(relative)
                break
