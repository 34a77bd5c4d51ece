"""What ``run`` and ``describe`` check on this machine before any cluster is started or joined.

Every reading stage's files are listed (local paths only; ``s3://`` and other URLs are left to
the run), so a missing path or a folder without matching files is reported at once, with the
override that fixes it: files of the other format than the file's ``input_filetype`` suggest
``input_filetype=jsonl`` (or ``parquet``). The first input file's columns are read (a Parquet
schema or one JSON line) and a pipeline whose ``text_field`` is not among them is refused with
the column that looks like text: ``text_field=content``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from curator_dask.config.paths import check_input_paths, partitioning_stages
from curator_dask.errors import InputError
from curator_dask.stages.file_partitioning import FILETYPE_TO_DEFAULT_EXTENSIONS, FilePartitioningStage

__all__ = ["InputFiles", "check_inputs"]

_FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class InputFiles:
    """The files one reading stage will read.

    Attributes:
        stage: the partitioning stage's name.
        paths: its ``file_paths`` as given.
        files: the matching local files, sorted (empty for remote paths).
        remote: whether the paths are URLs, listed only when the run starts.
    """

    stage: str
    paths: str | list[str]
    files: list[str]
    remote: bool

    def summary(self) -> str:
        """``3 files under '/data/raw'`` (or that remote paths are listed by the run)."""
        if self.remote:
            return f"{self.paths!r} (remote: listed when the run starts)"
        return f"{len(self.files)} file{'s' * (len(self.files) != 1)} under {self.paths!r}"


def check_inputs(stages: list[Any], values: dict[str, Any], where: str) -> list[InputFiles]:
    """List every reading stage's local files and check the first one's columns.

    Args:
        stages: the pipeline's stages.
        values: the pipeline file's top-level values (``input_filetype``, ``text_field``).
        where: the pipeline file's name, for messages.

    Raises:
        InputError: a path that does not exist, no matching files (with the override that
            fixes it), or a ``text_field`` the input does not have.
    """
    check_input_paths(stages, where)  # a path that does not exist, named as the user gave it
    found = []
    for stage in partitioning_stages(stages):
        paths = [stage.file_paths] if isinstance(stage.file_paths, str) else list(stage.file_paths)
        if any("://" in p for p in paths):
            found.append(InputFiles(stage.name, stage.file_paths, [], remote=True))
            continue
        try:
            files = [path for path, _ in stage.list_files()]
        except InputError as e:
            raise InputError(f"{where}: {e}{_format_hint(paths, values)}") from e
        found.append(InputFiles(stage.name, stage.file_paths, files, remote=False))
    if found and not found[0].remote:
        _check_text_field(found[0].files[0], values, where)
    return found


def _format_hint(paths: list[str], values: dict[str, Any]) -> str:
    """`` Its files are JSONL: pass input_filetype=jsonl`` when the other format's files are there."""
    given = values.get("input_filetype")
    if given not in _FORMATS:
        return ""
    other = next(f for f in _FORMATS if f != given)
    other_stage = FilePartitioningStage(paths, file_extensions=FILETYPE_TO_DEFAULT_EXTENSIONS[other])
    try:
        other_stage.list_files()
    except InputError:
        return ""
    return f" The files there are {other.upper() if other == 'jsonl' else 'Parquet'}: pass input_filetype={other}"


def _columns(path: str) -> dict[str, Any]:
    """``{column: first value}`` of a local JSONL or Parquet file (empty when it cannot be told cheaply)."""
    name = path.lower()
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        first = next(parquet.iter_batches(batch_size=1), None)  # one row, not a whole row group
        if first is None or not first.num_rows:
            return dict.fromkeys(parquet.schema_arrow.names)
        return {c: first.column(c)[0].as_py() for c in first.schema.names}
    if name.endswith((".jsonl", ".json")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        return {}  # the reader reports bad records, naming the line
                    return record if isinstance(record, dict) else {}
    return {}


def _check_text_field(path: str, values: dict[str, Any], where: str) -> None:
    text_field = values.get("text_field")
    if not isinstance(text_field, str) or not os.path.isfile(path):
        return
    columns = _columns(path)
    if not columns or text_field in columns:
        return
    texts = {c: len(v) for c, v in columns.items() if isinstance(v, str)}
    guess = max(texts, key=lambda c: texts[c]) if texts else "<the column that holds the text>"
    msg = (
        f"{where}: the input has no column {text_field!r} (the first file, {path}, has {sorted(columns)}); "
        f"pass text_field={guess} (the column that holds the text)"
    )
    raise InputError(msg)
