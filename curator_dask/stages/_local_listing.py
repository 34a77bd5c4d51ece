"""Listing local folders for ``FilePartitioningStage``, the same way under every fsspec version.

fsspec's versions disagree on directory links: some never enter them (their files are lost
without a word), some follow them, so that a link back to a parent folder lists forever. This
walk follows them and stops at a loop with an ``InputError`` that names the link. A file link
that cannot be resolved (it loops, or its target is gone) is listed with size ``-1``, so that the
reader reports it as one bad file, which ``on_error="skip"`` can count and leave out.
"""

from __future__ import annotations

import os
import re
import stat

from fsspec.utils import glob_translate

from curator_dask.errors import InputError
from curator_dask.utils.paths import GLOB_CHARS

__all__ = ["glob_local", "walk_local"]


def walk_local(root: str, maxdepth: int | None) -> dict[str, int]:
    """Regular files below local folder ``root`` (``maxdepth`` levels; None: all) with their sizes.

    Directory links are followed; one leading back into a folder the walk is already inside
    would never end, and is an ``InputError``.
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
                    found[entry.path] = -1  # a link that loops or dangles: the reader names it
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
