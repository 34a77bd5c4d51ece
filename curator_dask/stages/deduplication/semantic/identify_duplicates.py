"""``IdentifyDuplicatesStage``: pairwise results in, the ids to remove out (NeMo Curator's name).

Two inputs, one cut (``cosine_sim_score >= 1 - eps``):

- ``DocumentBatch`` tasks holding the pairwise columns (what ``SemanticDuplicateIdentification``
  emits with ``eps=None``): each becomes a batch of the ids to remove, sorted, for a writer after it;
- with ``output_path`` (NeMo Curator's form), ``FileGroupTask`` tasks listing pairwise Parquet
  files: up to ten at a time are read (only ``id``, only rows past the cut), and one Parquet file
  of sorted ids, in about ``_num_row_groups_hint`` row groups, is written under ``output_path``
  per batch, named by a hash of the files it came from (so a rerun replaces its own file).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pandas as pd

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication.semantic.pairwise import ID_COL, SCORE_COL, duplicates_of
from curator_dask.tasks import DocumentBatch, FileGroupTask
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["IdentifyDuplicatesStage", "check_eps"]


def check_eps(eps: float | None, allow_none: bool = True) -> float | None:
    """``eps`` if it is a similarity cut in ``[0, 1]`` (or ``None`` where allowed), else a ``ConfigError``."""
    if eps is None and allow_none:
        return None
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 <= float(eps) <= 1.0:
        msg = (
            f"eps={eps!r} is not a similarity cut: pass a number in [0, 1] (documents whose cosine similarity to a "
            "higher-ranked one is at least 1 - eps are duplicates; e.g. 0.01)"
            + ("" if not allow_none else ", or None to keep every pair's score")
        )
        raise ConfigError(msg)
    return float(eps)


class IdentifyDuplicatesStage(ProcessingStage[Any, Any]):
    """Keeps the pairwise rows that are duplicates at ``eps``: one ``id`` per document to remove.

    Args:
        eps: a document is a duplicate when its ``cosine_sim_score`` is at least ``1 - eps``.
        output_path: NeMo's form: read pairwise Parquet files, write the ids here.
        _num_row_groups_hint: row groups per written file (default 10).
        verbose: accepted for NeMo compatibility.
        read_kwargs, write_kwargs: pandas Parquet options (``storage_options`` among them).
    """

    name = "IdentifyDuplicatesStage"

    def __init__(
        self,
        eps: float,
        output_path: str | None = None,
        _num_row_groups_hint: int | None = None,
        verbose: bool = False,
        read_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.eps = check_eps(eps, allow_none=False)
        self.output_path = output_path
        self.batch_size = 10 if output_path is not None else 1  # several clusters' files per output file
        self.row_groups = _num_row_groups_hint or 10
        self.verbose = verbose
        self.read_kwargs, self.write_kwargs = dict(read_kwargs or {}), dict(write_kwargs or {})
        for bad, given in (
            (("filters", "columns", "engine"), self.read_kwargs),
            (("index", "row_group_size"), self.write_kwargs),
        ):
            if set(bad) & set(given):
                raise ConfigError(f"{self.name}: {sorted(set(bad) & set(given))} are set by the stage; drop them")

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [] if self.output_path is not None else [ID_COL, SCORE_COL]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [] if self.output_path is not None else [ID_COL]

    def process(self, task: Any) -> Any:
        return self.process_batch([task])[0]

    def process_batch(self, tasks: list[Any]) -> list[Any]:
        if not tasks:
            return []
        if self.output_path is not None:
            return [self._files(tasks)]
        return [self._batch(task) for task in tasks]

    def _batch(self, task: DocumentBatch) -> DocumentBatch:
        df = task.data if is_cudf_frame(task.data) else task.to_pandas()
        missing = [c for c in (ID_COL, SCORE_COL) if c not in df.columns]
        if missing:
            msg = (
                f"Stage {self.name!r}: task {task.task_id} lacks the pairwise column(s) {missing} (it has "
                f"{list(df.columns)}). Feed it SemanticDuplicateIdentification's output with eps=None."
            )
            raise InputError(msg)
        assert self.eps is not None
        ids = duplicates_of(df, self.eps)[[ID_COL]].sort_values(ID_COL, ignore_index=True)
        meta = {**task._metadata, "num_removed": len(ids)}
        return DocumentBatch(dataset_name=task.dataset_name, data=ids, _metadata=meta)

    def _files(self, tasks: list[FileGroupTask]) -> FileGroupTask:
        assert self.eps is not None and self.output_path is not None
        files = [path for task in tasks for path in task.data]
        cut = [(SCORE_COL, ">=", 1.0 - self.eps)]
        frames = [pd.read_parquet(f, columns=[ID_COL], filters=cut, **self.read_kwargs) for f in files]
        ids = pd.concat(frames, ignore_index=True).sort_values(ID_COL, ignore_index=True)
        name = hashlib.sha256("\n".join(files).encode()).hexdigest()[:32] + ".parquet"
        out = os.path.join(self.output_path, name)
        size = max(1, len(ids) // self.row_groups)
        ids.to_parquet(out, index=False, row_group_size=size, **self.write_kwargs)
        perf = list(tasks[0]._stage_perf) + [t._stage_perf[-1] for t in tasks[1:] if t._stage_perf]
        meta = {**tasks[0]._metadata, "num_removed": len(ids)}
        return FileGroupTask(dataset_name=tasks[0].dataset_name, data=[out], _metadata=meta, _stage_perf=perf)
