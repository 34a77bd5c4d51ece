"""Whole-collection stages: lift the task stream into a ``dask.dataframe`` and lower it back.

A ``CollectionStage`` (deduplication, global ids) needs every document at once. The driver parks
the pieces of chain results that reach it; once everything before it is done, ``run_collection_stage``
lifts them into one collection (one partition per piece, pandas or cudf as the batches are),
lets the stage build its lazy result with Dask's shuffle, groupby and merge, persists it, and
lowers each output partition back to a ``DocumentBatch`` for the chains after it. ``frame_of``
and ``batch_of`` run as small Dask tasks next to the data.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import dask
from distributed import futures_of, wait

from curator_dask.backends.dask.chain import ChainOutcome, TaskSlice
from curator_dask.errors import StageOutputError
from curator_dask.metrics import StagePerfStats
from curator_dask.tasks import DocumentBatch
from curator_dask.tasks.frames import concat_frames, empty_like, is_cudf_frame

__all__ = ["batch_of", "frame_of", "run_collection_stage"]


def frame_of(source: ChainOutcome, lo: int, hi: int, stage_name: str) -> Any:
    """The documents of ``source.tasks[lo:hi]`` as one frame (pandas, or cudf for cudf batches)."""
    frames = []
    for task in source.tasks[lo:hi]:
        if not isinstance(task, DocumentBatch):
            msg = (
                f"Stage {stage_name!r} works on whole collections of DocumentBatch tasks, but the stage before it "
                f"emitted a {type(task).__name__} ({task.task_id}). Put a reader, or a stage that returns "
                "DocumentBatch tasks, right before it."
            )
            raise StageOutputError(msg, stage_name=stage_name, task_ids=(task.task_id,))
        frames.append(task.data if is_cudf_frame(task.data) else task.to_pandas())
    return concat_frames(frames).reset_index(drop=True)


def batch_of(frame: Any, dataset_name: str, perf: StagePerfStats, next_stage: int, partition: int) -> ChainOutcome:
    """One output partition of a collection stage as the input of the next chain.

    Its id is ``r`` + 32 hex characters, as NeMo Curator gives outputs without a single parent,
    but derived from the stage and the partition number instead of drawn at random: when a lost
    worker makes Dask recompute the partition, the writer after it must pick the same file name.
    """
    batch = DocumentBatch(dataset_name=dataset_name, data=frame.reset_index(drop=True))
    batch.task_id = "r" + hashlib.sha256(f"{dataset_name}/{next_stage - 1}/{partition}".encode()).hexdigest()[:32]
    batch.add_stage_perf(perf)  # the whole collection was one batch: one shared record
    return ChainOutcome(next_stage=next_stage, tasks=[batch], worker="", num_tasks=1)


def run_collection_stage(
    client: Any, stage: Any, pieces: list[TaskSlice], index: int
) -> tuple[list[Any], StagePerfStats]:
    """Run a ``CollectionStage`` over every piece that reached it; wait for the result.

    Args:
        client: the run's client.
        stage: the collection stage (the driver's copy).
        pieces: slices of chain results (futures) holding the stage's input.
        index: the stage's position in the pipeline.

    Returns:
        One future per output partition (each a ``ChainOutcome`` for the next stage) and the
        stage's performance record.
    """
    import dask.dataframe as dd  # here, not at the top: workers import this module and need none of it
    began = time.perf_counter()
    parts = [client.submit(frame_of, p.source, p.lo, p.hi, str(stage.name), pure=False) for p in pieces]
    meta = client.submit(empty_like, parts[0]).result()
    items_in = sum(client.gather([client.submit(len, p) for p in parts]))
    # as_current: a compute() inside process_collection must use this run's client, not whichever
    # Client the process made last (a notebook's own client on another cluster, say)
    # convert-string off: the documents' columns (lists, dicts, mixed objects, pandas str) reach the
    # stage as they were read, not as pyarrow strings; a stage's own options come on top
    options = {"dataframe.convert-string": False, **stage.collection_options()}
    with client.as_current(), dask.config.set(options):
        frames = dd.from_delayed(parts, meta=meta, verify_meta=False)
        out = client.persist(stage.process_collection(frames))
        partitions = futures_of(out)
        wait(partitions)
    dataset = str(stage.name)
    perf = StagePerfStats(
        stage_name=str(stage.name),
        process_time=time.perf_counter() - began,
        input_data_size_mb=items_in / 1024 / 1024,
        num_items_processed=items_in,
        custom_metrics=stage._consume_custom_metrics(),  # what process_collection logged
    )
    outcomes = [client.submit(batch_of, p, dataset, perf, index + 1, i, pure=False) for i, p in enumerate(partitions)]
    return outcomes, perf
