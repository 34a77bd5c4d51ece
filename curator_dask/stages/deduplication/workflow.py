"""What the exact and fuzzy deduplication workflows share: files in, files and a report out.

A workflow is a ``Pipeline`` of reader (numbering the documents with ``_generate_ids`` when the
data has no id field: the same files always get the same ids, so a later
``TextDuplicatesRemovalWorkflow`` over the same files and partitioning can apply the removal
ids) -> identification stage (a whole-collection stage) -> writer, run on a ``DaskExecutor``
(fuzzy dedup with removal runs it in two passes: see ``FuzzyDeduplicationWorkflow``). With
``perform_removal=True`` (the default here; NeMo Curator 1.x defaults to ``False`` because its
removal is a separate workflow) the output is the deduplicated documents; otherwise it is the ids
to remove with their duplicate group, which ``remove_duplicates`` or NeMo Curator's removal
workflow can apply later.

A workflow's arguments are its own (below) plus the identification stage's own arguments (for
fuzzy dedup: ``seed``, ``char_ngrams``, ``num_bands`` ...), which it passes through: the stage's
signature is the one place that states them and their defaults.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from curator_dask.errors import ConfigError, InputError
from curator_dask.pipeline import Pipeline
from curator_dask.pipeline.workflow import WorkflowBase, WorkflowRunResult
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication._frames import check_shuffle_method
from curator_dask.stages.deduplication._steps import StepLog, steps_from_metrics
from curator_dask.stages.deduplication.identification import (
    CURATOR_DEDUP_ID_STR,
    REPORT_METRICS,
    DuplicateIdentificationStage,
)
from curator_dask.stages.deduplication.removal import DropIdsStage
from curator_dask.stages.text.io.reader import JsonlReader, ParquetReader
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter
from curator_dask.tasks import DocumentBatch, Task

__all__ = ["DeduplicationReport", "DeduplicationWorkflow"]

_READERS = {"jsonl": JsonlReader, "parquet": ParquetReader}
_WRITERS = {"jsonl": JsonlWriter, "parquet": ParquetWriter}


@dataclass
class DeduplicationReport(WorkflowRunResult):
    """What a deduplication run did: NeMo Curator's ``WorkflowRunResult``, plus our counts.

    As NeMo Curator's workflows return it: ``workflow_name`` is ``"exact_deduplication"`` or
    ``"fuzzy_deduplication"``; ``pipeline_tasks`` holds the writer's output tasks under
    ``"identification"`` (the removal-id files, ``perform_removal=False``) or ``"removal"`` (the
    deduplicated documents); ``metadata`` holds ``total_time`` and ``identification_time``
    (seconds; one fused pipeline, so both are the run's time) and ``num_duplicates`` (documents
    removed or listed for removal), so ``get_metadata("num_duplicates")`` works as there; and
    ``step_seconds`` / ``step_rows``: per step of the identification stage (``checks``,
    ``minhash``, ``lsh_buckets``, ``buckets_to_edges``, ``jaccard``, ``connected_components``,
    ``removal`` for fuzzy dedup), its seconds and the rows it produced (see ``_steps``).

    Attributes:
        documents_in: documents read.
        duplicate_groups: groups of two or more (near-)identical documents.
        documents_removed: documents removed (or listed for removal): all but one per group.
        output_files: the files written.
        elapsed_s: wall-clock seconds of the run.
    """

    workflow_name: str = "deduplication"
    # Left out of the repr: a run's tasks would drown the counts.
    pipeline_tasks: dict[str, list[Task]] = field(default_factory=dict, repr=False)
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    documents_in: int = 0
    duplicate_groups: int = 0
    documents_removed: int = 0
    output_files: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def documents_out(self) -> int:
        """Documents that survive deduplication."""
        return self.documents_in - self.documents_removed

    def to_dict(self) -> dict[str, Any]:
        """The counts as plain data (for JSON or a notebook table); the tasks stay out."""
        counts = ("documents_in", "duplicate_groups", "documents_removed", "output_files", "elapsed_s")
        return {**{key: getattr(self, key) for key in counts}, "documents_out": self.documents_out}


class DeduplicationWorkflow(WorkflowBase):
    """Base of ``ExactDeduplicationWorkflow`` and ``FuzzyDeduplicationWorkflow``.

    A subclass names its ``stage_class`` and its ``workflow_name``; the mechanics live here.

    Args:
        output_path: directory for the output files (deduplicated documents, or removal ids).
        input_path: a directory, glob, file, or list of them.
        input_filetype: ``"parquet"`` (NeMo Curator's default) or ``"jsonl"``.
        output_filetype: format written; ``None``: as the input.
        text_field: the text column.
        id_field: an existing unique id column; ``None``: the reader adds ``_curator_dedup_id``
            (``_generate_ids``), which deduplicated output drops.
        perform_removal: write the deduplicated documents (``True``) or the ids to remove.
        input_blocksize: target bytes per reader task (or ``files_per_partition``).
        files_per_partition: files per reader task.
        read_kwargs: format options for the reader.
        write_kwargs: format options for the writer.
        shuffle_method: ``"tasks"`` (default) or ``"p2p"``.
        total_nparts: partitions to shuffle into; ``None``: one per reader task.
        write_mode: the writer's ``mode`` (``"overwrite"`` by default).
        **options: the identification stage's own arguments (``stage_arguments()``), kept as
            given in ``self.options`` and passed on to the stage, whose signature holds their
            defaults; unknown names raise ``ConfigError``.
    """

    stage_class: ClassVar[type[DuplicateIdentificationStage]]
    workflow_name: ClassVar[str]  # NeMo Curator's name for the run (WorkflowRunResult.workflow_name)

    def __init__(
        self,
        output_path: str,
        input_path: str | list[str],
        input_filetype: Literal["jsonl", "parquet"] = "parquet",
        output_filetype: Literal["jsonl", "parquet"] | None = None,
        text_field: str = "text",
        id_field: str | None = None,
        perform_removal: bool = True,
        input_blocksize: int | str | None = None,
        files_per_partition: int | None = None,
        read_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
        shuffle_method: Literal["tasks", "p2p"] = "tasks",
        total_nparts: int | None = None,
        write_mode: Literal["ignore", "overwrite", "error"] = "overwrite",
        **options: Any,
    ) -> None:
        for name, value in (("input_filetype", input_filetype), ("output_filetype", output_filetype)):
            if value is not None and value not in _READERS:
                msg = f"{name}={value!r} is not supported; pass one of {sorted(_READERS)}"
                raise ConfigError(msg)
        unknown = sorted(set(options) - set(self.stage_arguments()))
        if unknown:
            allowed = [p for p in inspect.signature(DeduplicationWorkflow).parameters if p != "options"]
            msg = (
                f"{type(self).__name__} got unknown argument(s) {unknown}; it takes {sorted(allowed)} and "
                f"{self.stage_class.__name__}'s own {sorted(self.stage_arguments())}. Fix the name(s)."
            )
            raise ConfigError(msg)
        self.options = options
        self.output_path = output_path
        self.input_path = input_path
        self.input_filetype = input_filetype
        self.output_filetype = output_filetype or input_filetype
        self.text_field = text_field
        self.id_field = id_field
        self.perform_removal = perform_removal
        self.input_blocksize = input_blocksize
        self.files_per_partition = files_per_partition
        self.read_kwargs = read_kwargs
        self.write_kwargs = write_kwargs or {}
        self.shuffle_method = check_shuffle_method(shuffle_method)
        self.total_nparts = total_nparts
        self.write_mode = write_mode
        self.identification_stage(self.id_field or CURATOR_DEDUP_ID_STR)  # check the stage's options now

    @classmethod
    def stage_arguments(cls) -> tuple[str, ...]:
        """The names of ``stage_class``'s arguments other than those every workflow sets (``stage_options``)."""
        shared = inspect.signature(DuplicateIdentificationStage.__init__).parameters
        return tuple(p for p in inspect.signature(cls.stage_class.__init__).parameters if p not in shared)

    def identification_stage(self, id_field: str) -> DuplicateIdentificationStage:
        """The collection stage that finds (and, with removal, removes) the duplicates."""
        return self.stage_class(**self.stage_options(id_field), **self.options)

    def stage_options(self, id_field: str) -> dict[str, Any]:
        """The identification stage's arguments every workflow passes on."""
        return {
            "text_field": self.text_field,
            "id_field": id_field,
            "perform_removal": self.perform_removal,
            "drop_id_field": self.id_field is None,
            "shuffle_method": self.shuffle_method,
            "total_nparts": self.total_nparts,
        }

    def batch_stages(self, stage: DuplicateIdentificationStage) -> list[ProcessingStage]:
        """Per-batch stages between the reader and ``stage`` (fuzzy: MinHash and band ids per batch)."""
        return []

    def reader(self) -> ProcessingStage:
        """The reader of the input (numbering the documents when ``id_field`` is None)."""
        return _READERS[self.input_filetype](
            file_paths=self.input_path,
            files_per_partition=self.files_per_partition,
            blocksize=self.input_blocksize,
            read_kwargs=self.read_kwargs,
            _generate_ids=self.id_field is None,
        )

    def writer(self) -> ProcessingStage:
        """The writer of the output folder."""
        return _WRITERS[self.output_filetype](
            path=self.output_path, write_kwargs=self.write_kwargs, mode=self.write_mode
        )

    def pipeline(self) -> Pipeline:
        """The whole workflow as one pipeline: reader, (per-batch stages,) identification, writer.

        ``run`` runs it as it is, except where ``two_passes()``: then it runs the same stages as
        two pipelines, ids first, then the documents read again (same output, bounded memory);
        this one pipeline, which holds the documents on the workers while it finds the
        duplicates, is what ``describe`` shows and what runs when called directly. Every call
        builds new stages, so one run's stages (and the metrics they log) are never another's.
        """
        stage = self.identification_stage(self.id_field or CURATOR_DEDUP_ID_STR)
        # band ids computed per batch only without removal: removal needs the documents themselves
        batch = [] if self.perform_removal else self.batch_stages(stage)
        stages = [self.reader(), *batch, stage, self.writer()]
        return Pipeline(name=type(self).__name__, stages=stages)

    def two_passes(self) -> bool:
        """Whether ``run`` finds the ids first, then reads the documents again to remove them."""
        return self.perform_removal and bool(self.batch_stages(self.identification_stage(CURATOR_DEDUP_ID_STR)))

    def _run_two_passes(self, executor: Any, steps: StepLog) -> tuple[list[Task], list[Task]]:
        """Pass 1: the removal ids (on the driver: one id per removed document); pass 2: the documents without them."""
        id_field = self.id_field or CURATOR_DEDUP_ID_STR
        options = {**self.stage_options(id_field), "perform_removal": False, "drop_id_field": False}
        stage = self.stage_class(**options, **self.options)
        first = Pipeline(name=type(self).__name__, stages=[self.reader(), *self.batch_stages(stage), stage])
        stamp = _input_stamp(self.reader())  # the second pass must read exactly what the first read
        with _one_cluster(executor) as runner:
            began = time.perf_counter()
            found = first.run(runner)
            _check_unchanged(self.reader(), stamp, "before the documents were read again to remove the duplicates")
            steps.seconds["read_minhash"] = time.perf_counter() - began  # less the stage's own time, in run()
            ids = _ids_of(found, id_field)
            steps.mark("removal_write")
            began = time.perf_counter()
            remove = DropIdsStage(ids, id_field, drop_id_field=self.id_field is None)
            second = Pipeline(name=type(self).__name__, stages=[self.reader(), remove, self.writer()])
            written = second.run(runner)
            _check_unchanged(self.reader(), stamp, f"while the documents were written to {self.output_path}")
            steps.seconds["removal_write"] = time.perf_counter() - began
        return found, written

    def run(self, executor: Any = None) -> DeduplicationReport:
        """Run the workflow (on ``executor``, by default a new ``DaskExecutor``) and report."""
        began = time.perf_counter()
        steps = StepLog(self.workflow_name)
        steps.mark("read_minhash" if self.batch_stages(self.identification_stage(CURATOR_DEDUP_ID_STR)) else "read")
        if self.two_passes():
            found, result = self._run_two_passes(executor, steps)
        else:
            found = result = self.pipeline().run(executor)
        report = DeduplicationReport(
            workflow_name=self.workflow_name, output_files=sorted(p for task in result for p in task.data)
        )
        report.add_pipeline_tasks("removal" if self.perform_removal else "identification", result)
        step_seconds: dict[str, float] = {}
        step_rows: dict[str, int] = {}
        for task in found[:1]:
            record = next(p for p in task._stage_perf if p.stage_name == self.stage_class.name)
            for key in REPORT_METRICS:
                setattr(report, key, int(record.custom_metrics.get(key, 0)))
            step_seconds, step_rows = steps_from_metrics(record.custom_metrics)
            if "read_minhash" in steps.seconds:  # pass 1 ran the reader and MinHash, then the collection stage
                steps.seconds["read_minhash"] -= record.process_time
        report.elapsed_s = time.perf_counter() - began
        report.extend_metadata(
            {
                "total_time": report.elapsed_s,
                "identification_time": report.elapsed_s - steps.seconds.get("removal_write", 0.0),
                "num_duplicates": report.documents_removed,
                "step_seconds": dict(sorted((step_seconds | steps.seconds).items(), key=_step_order)),
                "step_rows": step_rows,
            }
        )
        return report


def _step_order(item: tuple[str, float]) -> int:
    """Steps in the order they run: the first pass's reading and hashing first, the second pass last."""
    return {"read_minhash": 0, "removal_write": 2}.get(item[0], 1)


@contextmanager
def _one_cluster(executor: Any) -> Iterator[Any]:
    """``executor``, or (for ``None``) a ``DaskExecutor`` on one local cluster kept for both passes."""
    if executor is not None:
        yield executor
        return
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.core import connect

    handle = connect()
    try:
        yield DaskExecutor(client=handle.client)
    finally:
        handle.close()


def _input_stamp(reader: Any) -> dict[str, list[Any]]:
    """Size and modification time of each file ``reader`` reads (see ``fingerprint.input_fingerprint``)."""
    from curator_dask.backends.dask.fingerprint import input_fingerprint

    partitioning = reader._partitioning_stage()
    return input_fingerprint([path for path, _ in partitioning.list_files()], partitioning.storage_options)


def _check_unchanged(reader: Any, stamp: dict[str, list[Any]], when: str) -> None:
    """Fail when the input files differ from ``stamp``: the ids found would not match the documents.

    Raises:
        InputError: naming the files added, removed or changed.
    """
    now = _input_stamp(reader)
    if now == stamp:
        return
    changed = sorted(p for p in stamp.keys() | now.keys() if stamp.get(p) != now.get(p))
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    msg = (
        f"The input of fuzzy deduplication changed {when}: {shown} (added, removed, or a different size or "
        "modification time). The duplicates were found in the files as they were, so removing them from the "
        "changed files could drop unique documents or keep duplicates. Nothing was deleted; any output "
        "written is from the changed files. Leave the input unchanged while the workflow runs and run it "
        "again (or run it with perform_removal=False and apply the ids with TextDuplicatesRemovalWorkflow)."
    )
    raise InputError(msg)


def _ids_of(tasks: list[Task], id_field: str) -> Any:
    """The sorted ids in ``tasks``' ``id_field`` (removal-id batches), as one host array."""
    import numpy as np
    import pandas as pd

    frames = [task.to_pandas()[id_field] for task in tasks if isinstance(task, DocumentBatch)]
    return np.sort(pd.concat(frames).to_numpy()) if frames else np.array([])
