"""Generated documents as input files: JSONL or Parquet, dealt round-robin over ``num_files`` files.

Row ``i`` goes to file ``i % num_files``, so every file gets a slice of every part of the corpus.
Files are named ``<prefix>-<NN>.<ext>`` with zero-padded numbers (their sorted order is their
number order). The writers check everything before they create a folder or a file, and never
replace a file that is already there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from curator_dask.errors import DuplicateIdError, OutputExistsError
from curator_dask.examples.corpus._args import is_count, require

Folder = str | os.PathLike[str]
_ID_TEXT = ("id", "text")


def write_jsonl(
    folder: Folder, docs: pd.DataFrame, num_files: int = 1, *, columns: Sequence[str] = _ID_TEXT, prefix: str = "part"
) -> list[Path]:
    """Write ``docs``' ``columns`` as ``num_files`` JSONL files under ``folder``; returns their paths.

    Each line is ``json.dumps`` of one record: every non-ASCII and control character escaped, so a
    record is one line to any line splitter (``str.splitlines`` also breaks at ``\\x85``, ``\\u2028``
    and ``\\x1c``, which some generated texts hold).

    Raises:
        ConfigError: a bad argument (not a DataFrame, a missing column, ``num_files`` < 1).
        DuplicateIdError: ``columns`` holds ``id`` and the ids repeat or are missing.
        OutputExistsError: one of the files to write exists already (nothing is written).
    """
    paths = _plan("write_jsonl", folder, docs, num_files, columns, prefix, "jsonl")
    for k, path in enumerate(paths):
        records = docs.iloc[k::num_files][list(columns)].to_dict("records")
        with open(path, "x", encoding="utf-8") as out:  # "x": never replace a file
            out.writelines(json.dumps(record) + "\n" for record in records)
    return paths


def write_parquet(
    folder: Folder, docs: pd.DataFrame, num_files: int = 1, *, columns: Sequence[str] = _ID_TEXT, prefix: str = "part"
) -> list[Path]:
    """Write ``docs``' ``columns`` as ``num_files`` Parquet files under ``folder``; returns their paths.

    Raises the errors of ``write_jsonl``, for the same reasons, before any file is written.
    """
    paths = _plan("write_parquet", folder, docs, num_files, columns, prefix, "parquet")
    for k, path in enumerate(paths):
        docs.iloc[k::num_files][list(columns)].to_parquet(path, index=False)
    return paths


def _plan(
    call: str,
    folder: Folder,
    docs: pd.DataFrame,
    num_files: int,
    columns: Sequence[str],
    prefix: str,
    ext: str,
) -> list[Path]:
    """Check the arguments and the target files, then make the folder; the paths to write."""
    table = "a pandas DataFrame, such as documents() or near_duplicates() returns"
    require(call, "docs", docs, isinstance(docs, pd.DataFrame), table, shown=f"<{type(docs).__name__}>")
    require(call, "num_files", num_files, is_count(num_files, 1), "a whole number >= 1")
    prefix_ok = isinstance(prefix, str) and prefix != "" and "/" not in prefix
    require(call, "prefix", prefix, prefix_ok, "a non-empty file name prefix without '/'")
    names_ok = isinstance(columns, Sequence) and not isinstance(columns, str) and len(columns) > 0
    missing = [c for c in columns if c not in docs.columns] if names_ok else []
    expected = f"a non-empty tuple of docs' columns ({', '.join(map(str, docs.columns))})"
    require(call, "columns", columns, names_ok and not missing, expected + (f"; missing: {missing}" if missing else ""))
    if "id" in columns:
        _check_ids(call, docs["id"])
    width = max(2, len(str(num_files - 1)))
    paths = [Path(folder) / f"{prefix}-{k:0{width}d}.{ext}" for k in range(num_files)]
    existing = [p for p in paths if p.exists()]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OutputExistsError(
            f"{call}: {existing[0]} already exists{more}; the corpus writers never replace a file. "
            "Write to a new or empty folder, or pass another prefix."
        )
    Path(folder).mkdir(parents=True, exist_ok=True)
    return paths


def _check_ids(call: str, ids: pd.Series) -> None:
    repeated = ids[ids.duplicated() & ids.notna()].unique().tolist()
    if repeated or ids.isna().any():
        what = f"repeats {repeated[:5]}" if repeated else "has missing values"
        raise DuplicateIdError(
            f"{call}: docs['id'] {what}; ids must be unique across the files. Give each document its own "
            "id (documents() and near_duplicates() do; pass each corpus its own id_prefix to combine them), "
            "or leave 'id' out of columns."
        )
