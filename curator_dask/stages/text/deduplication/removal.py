"""``TextDuplicatesRemovalStage``: drop the documents whose ids an identification run listed.

The removal ids are Parquet files (NeMo Curator's, or ours written with
``perform_removal=False``), one id per row in ``duplicate_id_field``. In a pipeline the stage is
a whole-collection stage: the ids of all documents are joined with the removal ids and each
partition drops its own rows (``stages.deduplication.removal``, the one implementation exact and
fuzzy deduplication use), so the texts never travel and the removal ids need not fit on one
worker. Called directly on one batch (``stage.process(batch)``, as NeMo Curator's unit tests do)
it reads only the removal ids within the batch's id range, as NeMo Curator does.

Removal ids that match no document are counted and reported (a warning and the custom metric
``unmatched_ids``), never silently dropped: they usually mean the ids came from other files or
the documents were numbered differently.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.collection import CollectionStage
from curator_dask.stages.deduplication._frames import client_of
from curator_dask.stages.deduplication.id_generator import CURATOR_DEDUP_ID_STR
from curator_dask.stages.deduplication.removal import drop_rows, locate_ids, remove_located
from curator_dask.tasks import DocumentBatch

__all__ = ["TextDuplicatesRemovalStage"]

logger = logging.getLogger(__name__)


@dataclass
class TextDuplicatesRemovalStage(CollectionStage):
    """Removes the documents whose ``id_field`` is among the ids stored at ``ids_to_remove_path``.

    Args:
        ids_to_remove_path: a Parquet file or folder of the ids to remove.
        id_field: the documents' id column.
        duplicate_id_field: the id column of the removal files (NeMo Curator writes ``"id"``).
        read_kwargs: options for reading the removal files (``storage_options``, ``filters`` ...).
        drop_id_field: drop ``id_field`` from the output.

    Custom metrics: ``documents_removed``, ``removal_ids`` (ids read) and ``unmatched_ids``.
    """

    ids_to_remove_path: str
    id_field: str = CURATOR_DEDUP_ID_STR
    duplicate_id_field: str = "id"
    read_kwargs: dict[str, Any] | None = None
    drop_id_field: bool = False

    def __post_init__(self) -> None:
        self.name = "DuplicatesRemovalStage"
        self.read_kwargs = dict(self.read_kwargs or {})

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.id_field]

    def collection_options(self) -> dict[str, Any]:
        # Dask's string conversion would change the documents' object columns (see identification)
        return {"dataframe.convert-string": False}

    # -- in a pipeline: the whole collection --------------------------------------------------
    def process_collection(self, frames: Any) -> Any:
        import dask.dataframe as dd

        self._check_columns(list(frames.columns), "the input documents")
        client = client_of(frames)
        with dask.config.set(self.collection_options()):
            try:
                removal = dd.read_parquet(
                    self.ids_to_remove_path, columns=[self.duplicate_id_field], **(self.read_kwargs or {})
                )
            except (OSError, ValueError, KeyError) as error:
                raise self._unreadable(error) from error
            removal = removal.rename(columns={self.duplicate_id_field: self.id_field})
            self._check_dtypes(frames._meta[self.id_field], removal._meta[self.id_field])
            hits = client.persist(locate_ids(frames, removal, self.id_field))
            read, removed = client.compute([removal.shape[0], hits.shape[0]], sync=True)
            self._report(int(read), int(removed))
            kept = remove_located(frames, hits)
        return kept.drop(columns=[self.id_field]) if self.drop_id_field else kept

    # -- called on one batch: NeMo Curator's range read ---------------------------------------
    def process(self, task: DocumentBatch) -> DocumentBatch:
        df = task.to_pandas()
        self._check_columns(list(df.columns), f"batch {task.task_id or task.dataset_name!r}")
        began = time.perf_counter()
        low, high = df[self.id_field].min(), df[self.id_field].max()
        range_time = time.perf_counter() - began
        began = time.perf_counter()
        try:
            removal_df = pd.read_parquet(
                self.ids_to_remove_path,
                filters=[(self.duplicate_id_field, ">=", low), (self.duplicate_id_field, "<=", high)],
                columns=[self.duplicate_id_field],
                **(self.read_kwargs or {}),
            )
        except (OSError, ValueError, KeyError) as error:
            raise self._unreadable(error) from error
        read_time = time.perf_counter() - began
        began = time.perf_counter()
        removal_ids = set(removal_df[self.duplicate_id_field].tolist())
        rows = np.flatnonzero(df[self.id_field].isin(removal_ids).to_numpy())
        kept = drop_rows(df, rows)
        if self.drop_id_field:
            kept = kept.drop(columns=[self.id_field])
        self._log_metrics(
            {"input_df_min_max_time": range_time, "read_dupes_time": read_time}
            | {"id_removal_time": time.perf_counter() - began}
        )
        unmatched = self._report(len(removal_ids), len(rows))
        # num_removed is NeMo Curator's count: the removal ids in this batch's id range
        metadata = {**task._metadata, "num_removed": len(removal_ids), "num_unmatched_ids": unmatched}
        return DocumentBatch(
            dataset_name=task.dataset_name, data=kept, _metadata=metadata, _stage_perf=task._stage_perf
        )

    # -- shared checks and reporting ----------------------------------------------------------
    def _report(self, read: int, removed: int) -> int:
        unmatched = read - removed
        self._log_metrics({"removal_ids": read, "documents_removed": removed, "unmatched_ids": unmatched})
        if unmatched:
            logger.warning(
                "%s: %d of the %d removal ids in %s match no document's %r; check that the ids come from an "
                "identification run over these files, numbered the same way.",
                self.name, unmatched, read, self.ids_to_remove_path, self.id_field,
            )  # fmt: skip
        return unmatched

    def _check_columns(self, columns: list[str], where: str) -> None:
        if self.id_field not in columns:
            msg = (
                f"Stage {self.name!r}: {where} have no id column {self.id_field!r} (columns: {columns}). "
                f"Pass the column holding the ids the removal files list as id_field=, or read the files with "
                f"the same ids as the identification run (_generate_ids=True or an id generator file)."
            )
            raise InputError(msg)

    def _check_dtypes(self, documents: Any, removal: Any) -> None:
        kinds = {pd.api.types.is_numeric_dtype(documents), pd.api.types.is_numeric_dtype(removal)}
        if len(kinds) > 1:
            msg = (
                f"Stage {self.name!r}: the documents' {self.id_field!r} is {documents.dtype} but the removal ids "
                f"{self.duplicate_id_field!r} in {self.ids_to_remove_path} are {removal.dtype}; no id could match. "
                "Pass the id columns that hold the same kind of ids."
            )
            raise InputError(msg)

    def _unreadable(self, error: Exception) -> ConfigError:
        msg = (
            f"Stage {self.name!r} cannot read column {self.duplicate_id_field!r} of the removal ids at "
            f"{self.ids_to_remove_path} ({type(error).__name__}: {error}). Pass the Parquet files an "
            "identification run wrote as ids_to_remove_path, and their id column as duplicate_id_field."
        )
        return ConfigError(msg)
