"""Resumable runs: remember which input partitions were completely written, skip them next time.

A run's *source partitions* are the tasks its source stage emits (file groups, with content ids).
Every later task's id starts with its source partition's id, so the driver can count, per source,
the tasks still alive in the run; when that count reaches zero and none of them failed, all of the
partition's output has been written (writers are atomic), and a marker file says so in
``<writer path>/.curator_dask/done/``. A rerun over the same output skips marked partitions
right after the source stage, so it ends with exactly the output of an uninterrupted run.

Resuming is on when the last stage is a writer in ``mode="ignore"`` (``overwrite`` starts over,
``error`` refuses a non-empty directory) and no stage mixes rows of several partitions (a
``CollectionStage``); config ``resume=False`` turns it off.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from fsspec.core import url_to_fs

from curator_dask.stages.collection import CollectionStage

__all__ = ["ResumeLedger", "source_id"]

logger = logging.getLogger(__name__)
MARKERS = ".curator_dask/done"


def source_id(task_id: str, depth: int) -> str | None:
    """The id of the source partition a task descends from; None when ancestry is unknown."""
    parts = task_id.split("_")
    return "_".join(parts[:depth]) if len(parts) >= depth and not task_id.startswith("r") else None


class ResumeLedger:
    """Counts live tasks per source partition and marks finished partitions in the output."""

    def __init__(self, path: str, storage_options: dict[str, Any], depth: int) -> None:
        self.fs, root = url_to_fs(path, **storage_options)
        self.root = root.rstrip("/")
        self.depth = depth
        self.alive: Counter[str] = Counter()
        self.dirty: set[str] = set()
        self.marked = 0
        marker_dir = f"{self.root}/{MARKERS}"
        self.done = (
            {p.rsplit("/", 1)[-1] for p in self.fs.ls(marker_dir, detail=False)}
            if self.fs.exists(marker_dir)
            else set()
        )
        self._remove_partial_writes()

    @classmethod
    def for_run(cls, stages: Sequence[Any], setting: Any, initial_depth: int) -> ResumeLedger | None:
        """A ledger when the pipeline can resume (see the module doc), else None."""
        if setting is False:
            return None
        sink = stages[-1]
        reason = None
        if not isinstance(getattr(sink, "path", None), str) or not hasattr(sink, "mode"):
            reason = "the last stage is not a writer"
        elif sink.mode != "ignore":
            reason = f"the writer's mode is {sink.mode!r}"
        elif any(isinstance(s, CollectionStage) for s in stages):
            reason = "a collection stage mixes rows of several input partitions"
        elif not stages[0].is_source_stage:
            reason = "the first stage is not the source stage"
        if reason:
            if setting is True:
                raise ValueError(f"resume=True, but this pipeline cannot resume: {reason}")
            return None
        options = dict(getattr(sink, "write_kwargs", {}) or {}).get("storage_options", {})
        return cls(sink.path, options, initial_depth + 1)

    def _remove_partial_writes(self) -> None:
        """Temporary files of writes that an earlier run never finished."""
        if not self.fs.exists(self.root):
            return
        for path in self.fs.ls(self.root, detail=False):
            name = path.rsplit("/", 1)[-1]
            if name.startswith(".") and ".tmp-" in name:
                self.fs.rm(path)

    def sources(self, task_ids: Iterable[str]) -> list[str]:
        return [s for s in (source_id(t, self.depth) for t in task_ids) if s is not None]

    def failed(self, task_ids: Iterable[str]) -> None:
        self.dirty.update(self.sources(task_ids))

    def settle(self, consumed: Iterable[str], produced: Iterable[str], created: Iterable[str]) -> None:
        """A chain consumed tasks of ``consumed`` sources and left ``produced`` ones alive."""
        consumed, created = list(consumed), list(created)
        for s in consumed:
            self.alive[s] -= 1
        for s in produced:
            self.alive[s] += 1
        for s in set(consumed) | set(created):
            if self.alive[s] <= 0 and s not in self.dirty and s not in self.done:
                self.alive.pop(s, None)
                self.fs.makedirs(f"{self.root}/{MARKERS}", exist_ok=True)
                self.fs.touch(f"{self.root}/{MARKERS}/{s}")
                self.done.add(s)
                self.marked += 1
