"""What exact and fuzzy duplicate identification share: options, the report, output or removal.

Both stages find groups of duplicates and, within each group, keep the document with the smallest
id; the rest are the *removal ids*. With ``perform_removal=False`` the stage emits those ids (one
row per document to remove: its id and its group, as NeMo Curator's identification stages write
them); with ``perform_removal=True`` it emits the documents that survive. Either way it logs
``documents_in``, ``duplicate_groups`` and ``documents_removed`` as custom metrics of its
performance record, which the workflows turn into their report.

Before any of that, ``checks.check_documents`` makes sure the ids are unique and non-null and
every text is a string. Every column's dtype and values survive: Dask's string conversion is off
while the stage builds and computes its collections (it would turn lists, dicts and other object
columns into strings), and removal filters each partition in place (see ``removal``).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import dask

from curator_dask.errors import ConfigError
from curator_dask.stages.collection import CollectionStage
from curator_dask.stages.deduplication._frames import check_shuffle_method, client_of
from curator_dask.stages.deduplication._steps import StepLog
from curator_dask.stages.deduplication.checks import check_documents
from curator_dask.stages.deduplication.id_generator import CURATOR_DEDUP_ID_STR
from curator_dask.stages.deduplication.removal import remove_duplicates

__all__ = ["CURATOR_DEDUP_ID_STR", "REPORT_METRICS", "DuplicateIdentificationStage"]

REPORT_METRICS = ("documents_in", "duplicate_groups", "documents_removed")


class DuplicateIdentificationStage(CollectionStage):
    """Base of ``ExactDuplicateIdentification`` and ``FuzzyDuplicateIdentification``.

    Args:
        text_field: the column holding the text.
        id_field: a column of unique document ids (strings or integers); run ``AddId`` first
            when the data has none.
        perform_removal: emit the deduplicated documents instead of the ids to remove.
        drop_id_field: with removal, drop ``id_field`` from the output (for ids added only to
            deduplicate).
        shuffle_method: Dask's shuffle method, ``"tasks"`` (default: tested, no extra
            dependency, best for small and medium data) or ``"p2p"`` (bounded memory on large
            data; needs pyarrow on the workers).
        total_nparts: partitions of the shuffles and of the removal-id output; ``None``: as many
            as the input collection has. With removal, the output keeps the input's partitions.
    """

    _is_abstract_root = True
    group_field: str = "_duplicate_group_id"

    def __init__(
        self,
        text_field: str = "text",
        id_field: str = CURATOR_DEDUP_ID_STR,
        perform_removal: bool = False,
        drop_id_field: bool = False,
        shuffle_method: str = "tasks",
        total_nparts: int | None = None,
    ) -> None:
        self.text_field = text_field
        self.id_field = id_field
        self.perform_removal = perform_removal
        self.drop_id_field = drop_id_field
        self.shuffle_method = check_shuffle_method(shuffle_method)
        if total_nparts is not None and total_nparts < 1:
            msg = f"total_nparts must be a positive number of partitions or None; got {total_nparts}"
            raise ConfigError(msg)
        self.total_nparts = total_nparts

    def collection_options(self) -> dict[str, Any]:
        # convert-string off: the executor builds the collection under these options, and Dask's
        # default would turn object columns (lists, dicts, mixed values) and pandas' str into string[pyarrow]
        return {"dataframe.shuffle.method": self.shuffle_method, "dataframe.convert-string": False}

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.text_field, self.id_field]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [] if self.perform_removal else [self.id_field, self.group_field]

    def nparts(self, frames: Any) -> int:
        """Partitions to shuffle into: ``total_nparts`` or the input's partition count."""
        return self.total_nparts or frames.npartitions

    @abstractmethod
    def removal_ids(self, frames: Any) -> Any:
        """A dask dataframe of ``[id_field, group_field]``: one row per document to remove."""

    def process_collection(self, frames: Any) -> Any:
        from distributed import wait

        client = client_of(frames)
        with dask.config.set(self.collection_options()):  # also for the eager steps of removal_ids
            steps = self._steps = StepLog(str(self.name))
            nparts = self.nparts(frames)
            with steps.step("checks") as record:
                documents_in = check_documents(frames, str(self.name), self.id_field, self.text_field, nparts, client)
                record.rows = documents_in
            removal = client.persist(self.removal_ids(frames))
            removed, groups = client.compute([removal.shape[0], removal[self.group_field].nunique()], sync=True)
            self._log_metrics(dict(zip(REPORT_METRICS, (documents_in, int(groups), int(removed)), strict=True)))
            if not self.perform_removal:
                self._log_metrics(steps.metrics())
                return removal
            with steps.step("removal") as record:
                # computed here (the executor's persist of the result is then a no-op), so the
                # step's time is its own; the removal ids go as soon as the rows are dropped
                kept = client.persist(remove_duplicates(frames, removal, self.id_field, self.shuffle_method))
                wait(kept)
                del removal
                record.rows = documents_in - int(removed)
            self._log_metrics(steps.metrics())
        return kept.drop(columns=[self.id_field]) if self.drop_id_field else kept

    def step_log(self) -> StepLog:
        """The step record of the run in progress (a fresh one outside ``process_collection``)."""
        if not isinstance(self.__dict__.get("_steps"), StepLog):
            self._steps = StepLog(str(self.name))
        return self._steps
