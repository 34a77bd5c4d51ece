"""``TextDuplicatesRemovalWorkflow``: original files and removal ids in, the kept documents out.

NeMo Curator's parameters and defaults, on a ``DaskExecutor``: file partitioning -> reader ->
``TextDuplicatesRemovalStage`` -> writer. The documents get their ids in one of three ways:

- ``id_generator_path`` (the JSON an identification run wrote, NeMo Curator's or ours): the
  reader assigns the ranges it lists (``_assign_ids``);
- ``id_field`` is ``_curator_dedup_id`` without a generator file: the reader numbers the files
  again with curator_dask's deterministic scheme (``_generate_ids``), which gives the ids our
  exact and fuzzy workflows gave, as long as the files and their partitioning are the same (NeMo
  Curator reads no ids here and fails);
- any other ``id_field``: the column the files already hold.

The writer refuses, before any work, an output path equal to, inside or containing the input.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.pipeline.workflow import WorkflowBase, WorkflowRunResult
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication.id_generator import (
    CURATOR_DEDUP_ID_STR,
    create_id_generator_actor,
    kill_id_generator_actor,
)
from curator_dask.stages.file_partitioning import FILETYPE_TO_DEFAULT_EXTENSIONS, FilePartitioningStage
from curator_dask.stages.text.deduplication.removal import TextDuplicatesRemovalStage
from curator_dask.stages.text.io.reader import JsonlReaderStage, ParquetReaderStage
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter
from curator_dask.tasks import Task

__all__ = ["TextDuplicatesRemovalWorkflow"]

logger = logging.getLogger(__name__)

_READERS = {"parquet": ParquetReaderStage, "jsonl": JsonlReaderStage}
_WRITERS = {"parquet": ParquetWriter, "jsonl": JsonlWriter}


@dataclass
class TextDuplicatesRemovalWorkflow(WorkflowBase):
    """Removes the documents listed at ``ids_to_remove_path`` from the files at ``input_path``.

    ``run`` returns a ``WorkflowRunResult`` named ``"text_duplicates_removal"``: the writer's
    tasks under ``pipeline_tasks["removal"]``; ``metadata`` holds ``total_time``,
    ``num_duplicates_removed`` (documents removed), ``num_removal_ids`` and ``num_unmatched_ids``
    (removal ids that matched no document).

    Args are NeMo Curator's: ``input_path``, ``ids_to_remove_path``, ``output_path``;
    ``input_filetype`` (``"parquet"`` or ``"jsonl"``), ``input_fields``, ``id_field``,
    ``input_files_per_partition``, ``input_blocksize``, ``input_file_extensions``,
    ``input_task_limit``, ``input_kwargs``; ``duplicate_id_field`` and ``duplicate_id_read_kwargs``
    for the removal files; ``id_generator_path`` and ``id_generator_storage_options``; and
    ``output_file_extension``, ``output_filetype``, ``output_kwargs``, ``output_fields``,
    ``output_mode`` and ``drop_id_field`` for the output.
    """

    input_path: str | list[str] | None
    ids_to_remove_path: str
    output_path: str
    input_filetype: Literal["parquet", "jsonl"] = "parquet"
    input_fields: list[str] | None = None
    id_field: str | None = CURATOR_DEDUP_ID_STR
    input_files_per_partition: int | None = None
    input_blocksize: str | int | None = None
    input_file_extensions: list[str] | None = None
    input_task_limit: int | None = None
    input_kwargs: dict[str, Any] | None = None
    duplicate_id_field: str = "id"
    duplicate_id_read_kwargs: dict[str, Any] | None = None
    id_generator_path: str | None = None
    id_generator_storage_options: dict[str, Any] | None = None
    output_file_extension: str | None = None
    output_filetype: Literal["parquet", "jsonl"] = "parquet"
    output_kwargs: dict[str, Any] | None = None
    output_fields: list[str] | None = None
    output_mode: Literal["ignore", "overwrite", "append", "error"] | None = None
    drop_id_field: bool = False

    def __post_init__(self) -> None:
        for name in ("input_filetype", "output_filetype"):
            if getattr(self, name) not in _READERS:
                msg = f"{name}={getattr(self, name)!r} is not supported; pass one of {sorted(_READERS)}"
                raise ConfigError(msg)
        if self.drop_id_field and self.output_fields and self.id_field in self.output_fields:
            msg = f"Cannot drop id_field {self.id_field!r} when it is included in output_fields."
            raise ConfigError(msg)
        self.id_field = self.id_field or CURATOR_DEDUP_ID_STR

    def _generate_stages(self, initial_tasks: list[Task] | None = None) -> list[ProcessingStage]:
        stages: list[ProcessingStage] = []
        if initial_tasks is None:
            if self.input_path is None:
                msg = "input_path is required when initial_tasks is None"
                raise ConfigError(msg)
            stages.append(
                FilePartitioningStage(
                    file_paths=self.input_path,
                    files_per_partition=self.input_files_per_partition,
                    blocksize=self.input_blocksize,
                    file_extensions=self.input_file_extensions or FILETYPE_TO_DEFAULT_EXTENSIONS[self.input_filetype],
                    storage_options=(self.input_kwargs or {}).get("storage_options"),
                    limit=self.input_task_limit,
                )
            )
        assign = self.id_generator_path is not None
        stages.append(
            _READERS[self.input_filetype](
                fields=self.input_fields,
                read_kwargs=dict(self.input_kwargs or {}),
                _generate_ids=not assign and self.id_field == CURATOR_DEDUP_ID_STR,
                _assign_ids=assign,
            )
        )
        stages.append(
            TextDuplicatesRemovalStage(
                ids_to_remove_path=self.ids_to_remove_path,
                id_field=str(self.id_field),
                duplicate_id_field=self.duplicate_id_field,
                read_kwargs=self.duplicate_id_read_kwargs,
                drop_id_field=self.drop_id_field,
            )
        )
        options: dict[str, Any] = {"mode": self.output_mode} if self.output_mode else {}
        if self.output_file_extension:
            options["file_extension"] = self.output_file_extension
        writer = _WRITERS[self.output_filetype]
        stages.append(
            writer(
                path=self.output_path, write_kwargs=dict(self.output_kwargs or {}), fields=self.output_fields, **options
            )
        )
        return stages

    def run(self, executor: Any = None, initial_tasks: list[Task] | None = None) -> WorkflowRunResult:
        """Run the removal (on ``executor``, by default a new ``DaskExecutor``) and report."""
        if (
            self.input_task_limit is not None
            and initial_tasks is not None
            and len(initial_tasks) > self.input_task_limit
        ):
            logger.warning(
                "Using the first %d of %d initial tasks (input_task_limit)", self.input_task_limit, len(initial_tasks)
            )
            initial_tasks = initial_tasks[: self.input_task_limit]
        if self.id_generator_path is not None:
            # before the stages are built and sent: the readers carry the generator to the workers
            create_id_generator_actor(self.id_generator_path, self.id_generator_storage_options)
        began = time.perf_counter()
        try:
            pipeline = Pipeline(
                name="text_duplicates_removal_workflow",
                description="Text duplicates removal workflow",
                stages=self._generate_stages(initial_tasks),
            )
            tasks = pipeline.run(executor, initial_tasks=initial_tasks)
        finally:
            if self.id_generator_path is not None:
                kill_id_generator_actor()
        result = WorkflowRunResult(workflow_name="text_duplicates_removal")
        result.add_pipeline_tasks("removal", tasks)
        metrics = _removal_metrics(tasks or [])
        result.extend_metadata(
            {
                "total_time": time.perf_counter() - began,
                "num_duplicates_removed": int(metrics.get("documents_removed", 0)),
                "num_removal_ids": int(metrics.get("removal_ids", 0)),
                "num_unmatched_ids": int(metrics.get("unmatched_ids", 0)),
            }
        )
        return result


def _removal_metrics(tasks: list[Task]) -> dict[str, float]:
    """The removal stage's custom metrics (the same on every output task of a collection stage)."""
    for task in tasks:
        for record in task._stage_perf:
            if record.stage_name == "DuplicatesRemovalStage":
                return dict(record.custom_metrics)
    return {}
