"""Writing one small local file (bytes, JSON, CSV, Parquet): NeMo Curator's helpers for side outputs.

These are for the odd file beside a pipeline's output (a summary, a table of clips), not for
data: writer stages do that. An existing file is kept unless ``overwrite=True`` says to replace
it, and then the new bytes go to a hidden temporary file in the same folder that is renamed
over the old one, so the file is never seen half-written and a failed write leaves the old one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import pathlib
import uuid
from typing import Any

import pandas as pd

__all__ = ["JsonEncoderCustom", "write_bytes", "write_csv", "write_json", "write_parquet"]

logger = logging.getLogger(__name__)


class JsonEncoderCustom(json.JSONEncoder):
    """A JSON encoder that also writes ``uuid.UUID`` values (as their string): ``json.dumps(x, cls=...)``."""

    def default(self, o: object) -> Any:
        if isinstance(o, uuid.UUID):
            return str(o)
        return super().default(o)


def write_bytes(
    buffer: bytes,
    dest: pathlib.Path,
    desc: str,
    source_video: str,
    *,
    verbose: bool,
    backup_and_overwrite: bool = False,
    overwrite: bool = False,
) -> None:
    """Write ``buffer`` to the local file ``dest``, creating its folder.

    Args:
        buffer: the bytes.
        dest: the file.
        desc: what the file is, for the log ("summary", "clip table").
        source_video: what it was made from, for the log.
        verbose: log each write at INFO.
        backup_and_overwrite: not implemented (raises ``NotImplementedError`` when ``dest`` exists).
        overwrite: replace an existing ``dest``; without it an existing file is kept and a warning says so.
    """
    dest = pathlib.Path(dest)
    if dest.exists():
        if backup_and_overwrite:
            msg = f"Backup and overwrite is not implemented ({desc} {dest} exists); pass overwrite=True to replace it"
            raise NotImplementedError(msg)
        if not overwrite:
            logger.warning(f"{desc} {dest} already exists, skipping (pass overwrite=True to replace it)")
            return
        logger.warning(f"{desc} {dest} already exists, overwriting ...")
    if verbose:
        logger.info(f"Writing {desc} for {source_video} to {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.tmp-{uuid.uuid4().hex}")
    try:
        temp.write_bytes(buffer)
        os.replace(temp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_parquet(
    data: list[dict[str, str]],
    dest: pathlib.Path,
    desc: str,
    source_video: str,
    *,
    verbose: bool,
    backup_and_overwrite: bool = False,
    overwrite: bool = False,
) -> None:
    """Write the records ``data`` as one Parquet file (no index); the rest as for ``write_bytes``."""
    buffer = io.BytesIO()
    pd.DataFrame(data).to_parquet(buffer, index=False)
    write_bytes(
        buffer.getvalue(),
        dest,
        desc,
        source_video,
        verbose=verbose,
        backup_and_overwrite=backup_and_overwrite,
        overwrite=overwrite,
    )


def write_json(
    data: dict[str, Any],
    dest: pathlib.Path,
    desc: str,
    source_video: str,
    *,
    verbose: bool,
    backup_and_overwrite: bool = False,
    overwrite: bool = False,
) -> None:
    """Write ``data`` as indented JSON (UUIDs as strings); the rest as for ``write_bytes``."""
    text = json.dumps(data, indent=4, cls=JsonEncoderCustom)
    write_bytes(
        text.encode("utf-8"),
        dest,
        desc,
        source_video,
        verbose=verbose,
        backup_and_overwrite=backup_and_overwrite,
        overwrite=overwrite,
    )


def write_csv(
    dest: pathlib.Path,
    desc: str,
    source_video: str,
    data: list[list[str]],
    *,
    verbose: bool,
    backup_and_overwrite: bool = False,
) -> None:
    """Write the rows ``data`` as CSV; an existing ``dest`` is kept (NeMo Curator's signature has no overwrite)."""
    text = io.StringIO()
    csv.writer(text).writerows(data)
    write_bytes(
        text.getvalue().encode("utf-8"),
        dest,
        desc,
        source_video,
        verbose=verbose,
        backup_and_overwrite=backup_and_overwrite,
    )
