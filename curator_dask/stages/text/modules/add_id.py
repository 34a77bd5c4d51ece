"""``AddId``: gives every document an id that is unique across the whole run."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from curator_dask.errors import InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.tasks import DocumentBatch

__all__ = ["AddId"]

logger = logging.getLogger(__name__)


@dataclass
class AddId(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Adds a column of ids ``<task_id>_<row>``, or ``<id_prefix>_<task_id>_<row>`` with a prefix.

    This is NeMo Curator's format. The framework gives every task of a run its own ``task_id``,
    so the ids are unique across the run without any coordination between workers (no counter,
    no shuffle); they are strings, and they are stable when the same input is re-run with the
    same partitioning. A batch made by hand (no ``task_id``) gets ``_0``, ``_1``, ... as in
    NeMo Curator, with a warning: such ids repeat from batch to batch.

    Args:
        id_field: the column to write the ids to.
        id_prefix: an optional prefix, e.g. the dataset name.
        overwrite: replace an existing ``id_field`` column (with a warning) instead of raising.
    """

    id_field: str
    id_prefix: str | None = None
    overwrite: bool = False
    name: str = "add_id"

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.id_field]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        df = task.to_pandas().copy(deep=False)
        if self.id_field in df.columns:
            if not self.overwrite:
                msg = (
                    f"Stage {self.name!r}: Column {self.id_field!r} already exists (task {task.task_id}). "
                    f"Pass AddId(id_field={self.id_field!r}, overwrite=True) to replace it, or choose "
                    "another id_field."
                )
                raise InputError(msg)
            logger.warning("AddId: column %r already exists and will be overwritten", self.id_field)
        if not task.task_id:
            # NeMo Curator's ids for a hand-made batch: "_0", "_1", ... They repeat from batch to batch.
            logger.warning(
                "Stage %r: task %r has no task_id, so its ids are '_0', '_1', ... and repeat in every such "
                "batch; in a Pipeline the framework gives each batch its own task_id.",
                self.name,
                task,
            )
        prefix = f"{self.id_prefix}_{task.task_id}" if self.id_prefix else task.task_id
        df[self.id_field] = [f"{prefix}_{row}" for row in range(len(df))]
        return DocumentBatch(
            dataset_name=task.dataset_name,
            data=df,
            _metadata=task._metadata,
            _stage_perf=task._stage_perf,
        )
