"""Resumable runs: remember which input partitions were completely written, skip them next time.

A run's *source partitions* are the tasks its source stage emits (file groups, with content ids).
Each later task descends from one or more of them: a task whose id the adapter derived from one
parent keeps its partition's id as a prefix; for a task made from a batch of several parents
(an ``r`` id) the chain records its *lineage*, the partitions of every task in the batch. The
driver counts, per partition, the tasks still alive in the run; when a partition's count reaches
zero and none of its batches failed, every document derived from it has been written (writers
are atomic) or was dropped by a filter, and a marker in ``<writer path>/.curator_dask/done/``
says so, with the partition's input fingerprint (file sizes and times) and the files written.

Partitions that met in one batch are *tied*: they are marked done together, or not at all, so a
rerun never sees half of a mixed batch and never writes its documents twice. The markers belong
to one pipeline, whose per-stage fingerprints ``.curator_dask/pipeline.json`` holds: a rerun of
a changed pipeline (another threshold, another stage) drops them and redoes everything, and a
partition whose input files changed is redone; both are logged. Files an earlier run wrote that
this run neither skipped nor rewrote are reported as stale (``RunResult.stale_files``), never deleted.

Resuming is on when the last stage is a writer, the first is the source stage and no stage
mixes rows of all partitions (a ``CollectionStage``); config ``resume=False`` turns it off.
This module has three parts: ``ResumeSpec`` (what a chain is told), ``ChainResume`` (what a chain
records on its worker, returned as a ``ResumeReport``) and ``ResumeLedger`` (the driver's side).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from curator_dask.backends.dask.fingerprint import input_fingerprint, pipeline_fingerprints
from curator_dask.errors import ConfigError
from curator_dask.stages.text.io.writer.manifest import BOOKKEEPING

__all__ = ["MARKERS", "ChainResume", "Finished", "ResumeLedger", "ResumeReport", "ResumeSpec", "source_id"]

logger = logging.getLogger(__name__)
MARKERS = f"{BOOKKEEPING}/done"
PIPELINE_FILE = f"{BOOKKEEPING}/pipeline.json"


def source_id(task_id: str, depth: int) -> str | None:
    """The source partition a task's id names as its prefix; None for ``r`` ids and shallower ids."""
    parts = task_id.split("_")
    return "_".join(parts[:depth]) if len(parts) >= depth and not task_id.startswith("r") else None


@dataclass(frozen=True)
class Finished:
    """A partition an earlier run finished: its input fingerprint then, and the partitions tied to it."""

    inputs: Mapping[str, Any]
    group: tuple[str, ...]


@dataclass(frozen=True)
class ResumeSpec:
    """What every chain of a resumable run is told.

    Attributes:
        depth: id depth of source partitions.
        done: partitions an earlier run finished. One is skipped when its files and those of
            every partition tied to it still match.
    """

    depth: int
    done: Mapping[str, Finished] = field(default_factory=dict)


@dataclass
class ResumeReport:
    """What one chain did to the partitions' live task counts, returned with its outcome."""

    delta: Counter[str] = field(default_factory=Counter)
    touched: set[str] = field(default_factory=set)
    ties: set[tuple[str, ...]] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    written: dict[str, list[str]] = field(default_factory=dict)
    lineage: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the live r-id tasks' partitions

    def without_lineage(self) -> ResumeReport:
        """A copy for the driver, which never reads lineage (the next chain does)."""
        copy = ResumeReport(**vars(self))
        copy.lineage = {}
        return copy


class ChainResume:
    """A chain's record of how its tasks descend from source partitions (runs on the worker).

    Args:
        spec: the run's ``ResumeSpec``.
        lineage: partitions of the ``r``-id tasks the chain starts from (from the chain before).
    """

    def __init__(self, spec: ResumeSpec, lineage: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.spec = spec
        self.lineage: dict[str, tuple[str, ...]] = dict(lineage or {})
        self.report = ResumeReport()

    def sources_of(self, task: Any) -> tuple[str, ...]:
        if task.task_id.startswith("r"):
            return self.lineage.get(task.task_id, ())
        source = source_id(task.task_id, self.spec.depth)
        return (source,) if source is not None else ()

    def sources_of_batch(self, tasks: Iterable[Any]) -> tuple[str, ...]:
        """The partitions a batch descends from; read before the stage runs (it may re-id its inputs)."""
        return tuple(sorted({s for t in tasks for s in self.sources_of(t)}))

    def consumed(self, tasks: Sequence[Any]) -> None:
        """The chain took these tasks (alive until now) as its input."""
        for task in tasks:
            for source in self.sources_of(task):
                self.report.delta[source] -= 1
                self.report.touched.add(source)

    def batch(self, sources: tuple[str, ...], outputs: Sequence[Any], *, failed: bool) -> None:
        """One ``process_batch`` call on a batch of ``sources``: tie them, note the ``r``-id outputs' lineage."""
        if len(sources) > 1:
            self.report.ties.add(sources)
        if failed:
            self.report.dirty.update(sources)
        for task in outputs:
            if task.task_id.startswith("r"):
                self.lineage[task.task_id] = sources

    def after_source_stage(self, produced: list[Any]) -> list[Any]:
        """Drop the partitions an earlier run finished (inputs unchanged); note the ones created.

        Tied partitions go together: if one of them changed (or is gone), all are done again.
        """
        from curator_dask.backends.dask.chain import source_files_of

        fingerprints: dict[str, dict[str, Any]] = {}
        for task in produced:
            source = source_id(task.task_id, self.spec.depth)
            if source is not None:
                options = getattr(task, "reader_config", {}).get("storage_options")
                fingerprints[source] = input_fingerprint(source_files_of([task]), options)
        done = self.spec.done
        unchanged = {s for s, fp in fingerprints.items() if s in done and dict(done[s].inputs) == fp}
        kept = []
        for task in produced:
            source = source_id(task.task_id, self.spec.depth)
            if source is None:
                kept.append(task)
                continue
            finished = self.spec.done.get(source)
            if finished is not None and all(member in unchanged for member in finished.group):
                self.report.skipped.append(source)
                continue
            if finished is not None:
                self.report.changed.append(source)
            self.report.created[source] = fingerprints[source]
            self.report.touched.add(source)
            kept.append(task)
        return kept

    def finish(self, alive: Sequence[Any], *, final: bool) -> ResumeReport:
        """The report, given the chain's output tasks (written files when ``final``)."""
        for task in alive:
            sources = self.sources_of(task)
            for source in sources:
                if final:
                    self.report.written.setdefault(source, []).extend(str(p) for p in getattr(task, "data", []))
                else:
                    self.report.delta[source] += 1
            if not final and task.task_id.startswith("r"):
                self.report.lineage[task.task_id] = sources
        return self.report


class ResumeLedger:
    """The driver's side: live task counts per partition, ties, and the markers in the output."""

    def __init__(self, path: str, storage_options: dict[str, Any], depth: int, stages: Sequence[Any]) -> None:
        from fsspec.core import url_to_fs

        self.path, self.storage_options = path, storage_options
        self.fs, root = url_to_fs(path, **storage_options)
        self.root = root.rstrip("/")
        self.depth = depth
        self.alive: Counter[str] = Counter()
        self.known: dict[str, dict[str, Any]] = {}  # partitions of this run -> input fingerprint
        self.dirty: set[str] = set()
        self.written: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}  # tied partitions: each member -> its group's shared list
        self.marked = 0
        self.stages = pipeline_fingerprints(stages)
        self.earlier: dict[str, dict[str, Any]] = {}  # markers of earlier runs that still apply
        self._load()

    @classmethod
    def for_run(cls, stages: Sequence[Any], setting: Any, initial_depth: int) -> ResumeLedger | None:
        """A ledger when the pipeline can resume (see the module doc), else None.

        Raises:
            ConfigError: for ``resume=True`` on a pipeline that cannot resume, saying why.
        """
        if setting is False:
            return None
        sink = stages[-1]
        reason = None
        if not isinstance(getattr(sink, "path", None), str) or not hasattr(sink, "mode"):
            reason = "the last stage is not a writer"
        elif any(_is_collection(s) for s in stages):
            reason = "a collection stage mixes rows of every input partition"
        elif not stages[0].is_source_stage:
            reason = "the first stage is not the source stage"
        if reason:
            if setting is True:
                raise ConfigError(f"resume=True, but this pipeline cannot resume: {reason}. Use resume='auto'.")
            return None
        options = dict(getattr(sink, "write_kwargs", {}) or {}).get("storage_options", {})
        return cls(sink.path, options, initial_depth + 1, stages)

    # -- start: which earlier markers still apply ---------------------------------------------
    def _read_json(self, path: str) -> Any:
        try:
            return json.loads(self.fs.cat_file(path))
        except (FileNotFoundError, ValueError):
            return None

    def _load(self) -> None:
        markers = f"{self.root}/{MARKERS}"
        if not self.fs.exists(markers):
            return
        entries = {p.rsplit("/", 1)[-1]: self._read_json(p) for p in self.fs.ls(markers, detail=False)}
        entries = {k: v for k, v in entries.items() if isinstance(v, dict)}
        before = self._read_json(f"{self.root}/{PIPELINE_FILE}")
        if not isinstance(before, dict) or before.get("stages") != self.stages:
            logger.warning(
                "The output folder %s holds results of a different pipeline (%s); every input partition is "
                "processed again and files this run does not rewrite are reported as stale.",
                self.root,
                _difference(before.get("stages") if isinstance(before, dict) else None, self.stages),
            )
            self.fs.rm(markers, recursive=True)
            return
        for source, entry in entries.items():
            group = entry.get("group") or [source]
            if all(member in entries for member in group):  # a group is done only as a whole
                self.earlier[source] = entry

    def start(self) -> ResumeSpec:
        """Record this run's pipeline in the output folder; the spec every chain is given."""
        self.fs.makedirs(f"{self.root}/{BOOKKEEPING}", exist_ok=True)
        self.fs.pipe_file(f"{self.root}/{PIPELINE_FILE}", json.dumps({"stages": self.stages}, indent=1).encode())
        if self.earlier:
            logger.warning(
                "Resuming: %d input partitions were completely written to %s by an earlier run of this pipeline "
                "and are skipped where their input files are unchanged. Use the writer's mode='overwrite' or the "
                "executor config resume=False to redo them.",
                len(self.earlier),
                self.root,
            )
        done = {s: Finished(e.get("inputs", {}), tuple(e.get("group") or [s])) for s, e in self.earlier.items()}
        return ResumeSpec(self.depth, done)

    # -- during the run -----------------------------------------------------------------------
    def _group(self, source: str) -> list[str]:
        return self.groups.get(source) or [source]

    def _tie(self, sources: Sequence[str]) -> None:
        merged = sorted({m for s in sources for m in self._group(s)})
        for member in merged:
            self.groups[member] = merged

    def settle(self, report: ResumeReport) -> None:
        """Apply one chain's report; mark every group of partitions that is now finished."""
        self.alive.update(report.delta)
        self.known.update(report.created)
        self.dirty.update(report.dirty)
        for source, files in report.written.items():
            self.written.setdefault(source, []).extend(files)
        for tie in report.ties:
            self._tie(tie)
        if report.changed:
            logger.warning("Input files changed since the earlier run: redoing partitions %s", sorted(report.changed))
        for source in sorted(report.touched | set(report.created)):
            group = self._group(source)
            if all(self._finished(s) for s in group):
                self._mark(group)

    def _finished(self, source: str) -> bool:
        return source in self.known and self.alive[source] <= 0 and source not in self.dirty

    def _mark(self, group: list[str]) -> None:
        folder = f"{self.root}/{MARKERS}"
        self.fs.makedirs(folder, exist_ok=True)
        for source in group:
            entry = {"group": group, "inputs": self.known.pop(source), "files": sorted(self.written.pop(source, []))}
            self.fs.pipe_file(f"{folder}/{source}", json.dumps(entry).encode())
            self.alive.pop(source, None)
            self.groups.pop(source, None)
            self.marked += 1

    # -- the end ------------------------------------------------------------------------------
    def stale_files(self, skipped: Iterable[str], written: Iterable[str]) -> list[str]:
        """Data files earlier runs wrote here (the manifest's) that this run neither kept nor wrote again."""
        from curator_dask.stages.text.io.writer.manifest import OutputFolder

        def name(path: str) -> str:
            return path.rstrip("/").rsplit("/", 1)[-1]

        kept = {name(f) for s in skipped for f in self.earlier.get(s, {}).get("files", [])}
        current = {name(p) for p in written}
        ours = OutputFolder(self.path, self.storage_options).scan().data
        return [f"{self.root}/{n}" for n in ours if "/" not in n and n not in kept and n not in current]


def _is_collection(stage: Any) -> bool:
    from curator_dask.stages.collection import CollectionStage

    return isinstance(stage, CollectionStage)


def _difference(before: list[dict[str, str]] | None, now: list[dict[str, str]]) -> str:
    if not before:
        return "no record of the pipeline that wrote it"
    if [s["name"] for s in before] != [s["name"] for s in now]:
        return f"stages were {[s['name'] for s in before]}, now {[s['name'] for s in now]}"
    changed = [b["name"] for b, n in zip(before, now, strict=True) if b != n]
    return f"parameters of {', '.join(map(repr, changed))} changed"
