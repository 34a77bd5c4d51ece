"""What the exact and fuzzy deduplication workflows share: files in, files and a report out.

A workflow is a ``Pipeline`` of reader -> ``AddId`` (when the data has no id field) ->
identification stage (a whole-collection stage) -> writer, run on a ``DaskExecutor``. With
``perform_removal=True`` (the default here; NeMo Curator 1.x defaults to ``False`` because its
removal is a separate workflow) the output is the deduplicated documents; otherwise it is the ids
to remove with their duplicate group, which ``remove_duplicates`` or NeMo Curator's removal
workflow can apply later.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from curator_dask.pipeline import Pipeline
from curator_dask.stages.deduplication._frames import check_shuffle_method
from curator_dask.stages.deduplication.identification import (
    CURATOR_DEDUP_ID_STR,
    REPORT_METRICS,
    DuplicateIdentificationStage,
)
from curator_dask.stages.text.io.reader import JsonlReader, ParquetReader
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter
from curator_dask.stages.text.modules import AddId

__all__ = ["DeduplicationReport", "DeduplicationWorkflow"]

_READERS = {"jsonl": JsonlReader, "parquet": ParquetReader}
_WRITERS = {"jsonl": JsonlWriter, "parquet": ParquetWriter}


@dataclass
class DeduplicationReport:
    """What a deduplication run did.

    Attributes:
        documents_in: documents read.
        duplicate_groups: groups of two or more (near-)identical documents.
        documents_removed: documents removed (or listed for removal): all but one per group.
        output_files: the files written.
        elapsed_s: wall-clock seconds of the run.
    """

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
        """The report as plain data (for JSON or a notebook table)."""
        return {**asdict(self), "documents_out": self.documents_out}


class DeduplicationWorkflow(ABC):
    """Base of ``ExactDeduplicationWorkflow`` and ``FuzzyDeduplicationWorkflow``.

    Args:
        output_path: directory for the output files (deduplicated documents, or removal ids).
        input_path: a directory, glob, file, or list of them.
        input_filetype: ``"parquet"`` (NeMo Curator's default) or ``"jsonl"``.
        output_filetype: format written; ``None``: as the input.
        text_field: the text column.
        id_field: an existing unique id column; ``None``: ids are added (``AddId``) and
            dropped from deduplicated output.
        perform_removal: write the deduplicated documents (``True``) or the ids to remove.
        input_blocksize: target bytes per reader task (or ``files_per_partition``).
        files_per_partition: files per reader task.
        read_kwargs: format options for the reader.
        write_kwargs: format options for the writer.
        shuffle_method: ``"tasks"`` (default) or ``"p2p"``.
        total_nparts: partitions to shuffle into; ``None``: one per reader task.
        write_mode: the writer's ``mode`` (``"overwrite"`` by default).
    """

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
    ) -> None:
        for name, value in (("input_filetype", input_filetype), ("output_filetype", output_filetype)):
            if value is not None and value not in _READERS:
                msg = f"{name}={value!r} is not supported; pass one of {sorted(_READERS)}"
                raise ValueError(msg)
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

    @abstractmethod
    def identification_stage(self, id_field: str) -> DuplicateIdentificationStage:
        """The collection stage that finds (and, with removal, removes) the duplicates."""

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

    def pipeline(self) -> Pipeline:
        """The pipeline this workflow runs (build it anew for every run: the writer clears output)."""
        id_field = self.id_field or CURATOR_DEDUP_ID_STR
        reader = _READERS[self.input_filetype](
            file_paths=self.input_path,
            files_per_partition=self.files_per_partition,
            blocksize=self.input_blocksize,
            read_kwargs=self.read_kwargs,
        )
        stages: list[Any] = [reader]
        if self.id_field is None:
            stages.append(AddId(id_field=id_field))
        stages.append(self.identification_stage(id_field))
        stages.append(
            _WRITERS[self.output_filetype](path=self.output_path, write_kwargs=self.write_kwargs, mode=self.write_mode)
        )
        return Pipeline(name=type(self).__name__, stages=stages)

    def run(self, executor: Any = None) -> DeduplicationReport:
        """Run the workflow (on ``executor``, by default a new ``DaskExecutor``) and report."""
        began = time.perf_counter()
        result = self.pipeline().run(executor)
        report = DeduplicationReport(output_files=sorted(p for task in result for p in task.data))
        for task in result[:1]:
            record = next(p for p in task._stage_perf if p.stage_name == self.identification_stage("_").name)
            for key in REPORT_METRICS:
                setattr(report, key, int(record.custom_metrics.get(key, 0)))
        report.elapsed_s = time.perf_counter() - began
        return report
