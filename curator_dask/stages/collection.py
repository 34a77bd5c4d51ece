"""``CollectionStage``: a stage that needs all documents at once (shuffles, global ids, dedup)."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

from curator_dask.stages.base import ProcessingStage
from curator_dask.tasks import DocumentBatch

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["CollectionStage"]


class CollectionStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """A whole-collection stage: its work is expressed over a ``dask.dataframe`` collection.

    The executor waits for every ``DocumentBatch`` that reaches this stage, lifts them into one
    collection (one partition per incoming batch; pandas-backed on CPU, cudf-backed when the
    batches hold cudf frames), calls ``process_collection`` on the driver to build the lazy
    result (Dask's shuffle, groupby, merge, ``map_partitions`` with explicit ``meta``), computes
    it on the cluster, and lowers each output partition back to a ``DocumentBatch`` for the
    stages after it.

    Output tasks get ``r``-prefixed ids (rows from many inputs meet in one partition, so no single
    parent exists, NeMo Curator's rule for such mappings) and one performance record for this
    stage. ``process_collection`` runs on the driver: per-worker state made in ``setup`` is not
    available there; work that needs it belongs in ``map_partitions`` functions.
    """

    _is_abstract_root = True
    batch_size = None

    @abstractmethod
    def process_collection(self, frames: dd.DataFrame) -> dd.DataFrame:
        """Turn the collection of all incoming documents into the outgoing collection (lazily)."""

    def process(self, task: DocumentBatch) -> DocumentBatch:
        msg = f"Stage {self.name!r} works on whole collections; run it with DaskExecutor, not task by task."
        raise RuntimeError(msg)

    def collection_options(self) -> dict[str, Any]:
        """Settings the executor applies while computing (e.g. ``{"dataframe.shuffle.method": "p2p"}``)."""
        return {}
