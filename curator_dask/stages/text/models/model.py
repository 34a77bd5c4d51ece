"""``ModelStage``: batched inference of a Hugging Face model on a worker's GPU (or CPU).

Weights are staged once per node in ``setup_on_node`` and loaded once per worker in ``setup``,
onto the device dask-cuda pinned for that worker (``cuda`` is that device: dask-cuda puts it first
in ``CUDA_VISIBLE_DEVICES``), or onto the CPU when the stage's resources ask for no GPU.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.errors import StageSetupError
from curator_dask.models.weights import stage_snapshot
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.stages.text.models.utils import (
    ATTENTION_MASK_FIELD,
    INPUT_ID_FIELD,
    SEQ_ORDER_FIELD,
    format_name_with_suffix,
    keep_tensors_on_the_heap,
    pad_micro_batch,
)
from curator_dask.tasks import DocumentBatch

__all__ = ["ModelStage"]

logger = logging.getLogger(__name__)


class ModelStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Base class for Hugging Face model inference over tokenised batches.

    Subclasses load ``self.model`` in ``_setup(local_files_only)`` (on ``self.device``) and implement
    ``process_model_output`` and ``create_output_dataframe``, as in NeMo Curator. Rows are cut into
    micro-batches of ``model_inference_batch_size`` in the order they come (length-sorted by the
    tokenizer), each padded to its own longest row; on CUDA a micro-batch that runs out of memory is
    retried at half the size (with a warning, and the smaller size kept for this worker). Outputs
    are put back in the original document order.

    On CPU a micro-batch also stops before its padded size (rows x longest row) passes
    ``cpu_tokens_per_forward`` (4096; None: rows only). Attention builds rows x heads x length^2
    tensors: 64 rows of ~1000 tokens allocate gigabytes per layer, far past any CPU cache, and
    measured 2-3x slower than the same rows a few at a time (``benchmarks/models.py``). On a GPU
    large batches are what fills the device, so there only the row count applies. Each row's
    output does not depend on which rows share its micro-batch (up to float rounding).

    Memory: on CPU, ``setup`` sets glibc's mmap threshold to 64 MiB for the worker process (see
    ``keep_tensors_on_the_heap``): under a Dask nanny's ``MALLOC_TRIM_THRESHOLD_`` every activation
    tensor would otherwise be fresh pages from the kernel, 2.5-3x slower.

    Threads: torch's intra-op threads are left as the worker process has them. A Dask nanny starts
    workers with ``OMP_NUM_THREADS=1`` (``distributed.nanny.pre-spawn-environ``), so torch uses one
    thread per task and a worker of N threads runs N micro-batches on N cores; setting torch to N
    threads there would run N x N. Outside a nanny (``processes=False``, in-process use) torch
    takes every core: set ``OMP_NUM_THREADS`` (or ``torch.set_num_threads``) yourself.

    Runs on a GPU worker by default (``Resources(cpus=1, gpus=1)``); for CPU workers give it
    ``with_(resources=Resources(cpus=1))``. Autocast (bf16 where the GPU has it, else fp16) is used
    on CUDA only, so CPU results are full precision.

    Args:
        model_identifier: Hugging Face repo id or local model folder.
        cache_dir: Hugging Face cache folder (None: the default).
        hf_token: token for gated or private repositories.
        model_inference_batch_size: rows per forward pass.
        has_seq_order: the input carries ``_curator_seq_order`` (from a sorting tokenizer) to restore.
        padding_side: ``"right"`` or ``"left"``.
        max_seq_length: clip the tokens to this length before the forward pass (None: as given).
        unpack_inference_batch: call ``model(**batch)`` instead of ``model(batch)``.
        autocast: use mixed precision on CUDA.
    """

    model: Any  # set by setup() on the worker; never shipped
    cpu_tokens_per_forward: int | None = 4096  # a class attribute: not one of NeMo's arguments

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        hf_token: str | None = None,
        model_inference_batch_size: int = 256,
        has_seq_order: bool = True,
        padding_side: Literal["left", "right"] = "right",
        max_seq_length: int | None = None,
        unpack_inference_batch: bool = False,
        autocast: bool = True,
    ) -> None:
        self.name = format_name_with_suffix(model_identifier, suffix="_model")
        self.resources = Resources(cpus=1, gpus=1)
        self.model_identifier = model_identifier
        self.cache_dir = cache_dir
        self.hf_token = hf_token
        self.model_inference_batch_size = model_inference_batch_size
        self.has_seq_order = has_seq_order
        self.padding_side = padding_side
        self.max_seq_length = max_seq_length
        self.unpack_inference_batch = unpack_inference_batch
        self.autocast = autocast

    def inputs(self) -> tuple[list[str], list[str]]:
        order = [SEQ_ORDER_FIELD] if self.has_seq_order else []
        return ["data"], [INPUT_ID_FIELD, ATTENTION_MASK_FIELD, *order]

    def outputs(self) -> tuple[list[str], list[str]]:
        msg = "Subclasses must implement this method"
        raise NotImplementedError(msg)

    # -- weights ------------------------------------------------------------------------------
    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        """Make the model's files present on this node (nothing is loaded here)."""
        stage_snapshot(self.model_identifier, self.cache_dir, self.hf_token)
        self._stage_more()

    def _stage_more(self) -> None:
        """Stage further files a subclass needs (e.g. a backbone's config); none by default."""

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        """Load the model from this node's disk onto this worker's device."""
        self.device = self._device(worker_metadata)
        self._batch_rows = self.model_inference_batch_size
        if self.device.type == "cpu":
            keep_tensors_on_the_heap()
        self._setup(local_files_only=True)

    def _setup(self, local_files_only: bool = True) -> None:
        msg = f"{type(self).__name__} must implement _setup(local_files_only) to load self.model"
        raise NotImplementedError(msg)

    def _device(self, worker_metadata: WorkerMetadata | None) -> Any:
        import torch

        if not self.resources.requires_gpu:
            return torch.device("cpu")
        if not torch.cuda.is_available():
            where = worker_metadata.worker_id if worker_metadata else "this worker"
            msg = (
                f"Stage {self.name!r} asks for a GPU (Resources(gpus={self.resources.gpus:g})) but torch on "
                f"{where} sees no CUDA device (torch {torch.__version__}, CUDA build: {torch.version.cuda}). "
                "Install a CUDA build of torch on the GPU workers, or run the stage on CPU with "
                "stage.with_(resources=Resources(cpus=1))."
            )
            raise StageSetupError(msg)
        return torch.device("cuda", torch.cuda.current_device())

    # -- inference ----------------------------------------------------------------------------
    def yield_next_batch(self, df: pd.DataFrame) -> Iterator[dict[str, Any]]:
        """Micro-batches of model inputs on the model's device (NeMo Curator's name)."""
        for start in range(0, len(df), self._batch_rows):
            yield self._tensors(df.iloc[start : start + self._batch_rows])

    def _tensors(self, rows: pd.DataFrame) -> dict[str, Any]:
        batch = pad_micro_batch(rows[INPUT_ID_FIELD].tolist(), rows[ATTENTION_MASK_FIELD].tolist(), self.padding_side)
        return {k: v.to(self.device) for k, v in batch.items()}

    def _model_forward(self, model_input_batch: dict[str, Any]) -> Any:
        if self.unpack_inference_batch:
            return self.model(**model_input_batch)
        return self.model(model_input_batch)

    def _forward(self, rows: pd.DataFrame) -> Any:
        import torch

        model_input_batch = self._tensors(rows)
        with torch.no_grad():
            if self.autocast and self.device.type == "cuda":
                dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
                with torch.autocast(device_type="cuda", dtype=dtype):
                    outputs = self._model_forward(model_input_batch)
            else:
                outputs = self._model_forward(model_input_batch)
            return self.process_model_output(outputs, model_input_batch)

    def _rows_from(self, lengths: np.ndarray, start: int) -> int:
        """How many rows from ``start`` go in the next micro-batch (at least one)."""
        n = min(self._batch_rows, len(lengths) - start)
        budget = self.cpu_tokens_per_forward
        if budget is None or self.device.type != "cpu":
            return n
        # padded size after k rows is k x (longest of them): non-decreasing in k, so the rows
        # that fit are a prefix
        padded = np.maximum.accumulate(lengths[start : start + n]) * np.arange(1, n + 1)
        return max(1, int((padded <= budget).sum()))

    def _run_all(self, df: pd.DataFrame) -> list[Any]:
        """Every micro-batch's processed output; halves the micro-batch on CUDA out-of-memory."""
        import torch

        lengths = np.fromiter((sum(m) for m in df[ATTENTION_MASK_FIELD]), dtype=np.int64, count=len(df))
        processed, start = [], 0
        while start < len(df):
            rows = df.iloc[start : start + self._rows_from(lengths, start)]
            try:
                processed.append(self._forward(rows))
            except torch.OutOfMemoryError:
                if self._batch_rows == 1:
                    raise
                self._batch_rows = max(1, self._batch_rows // 2)
                logger.warning(
                    "Stage %r: out of GPU memory on %d rows; retrying at %d rows per forward pass",
                    self.name,
                    len(rows),
                    self._batch_rows,
                )
                gc.collect()
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                continue
            start += len(rows)
        return processed

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> Any:
        msg = "Subclasses must implement this method"
        raise NotImplementedError(msg)

    def collect_outputs(self, processed_outputs: list[Any]) -> Any:
        return {k: np.concatenate([np.asarray(o[k]) for o in processed_outputs], axis=0) for k in processed_outputs[0]}

    def create_output_dataframe(self, df_cpu: pd.DataFrame, collected_output: Any) -> pd.DataFrame:
        msg = "Subclasses must implement this method"
        raise NotImplementedError(msg)

    def _clip(self, df: pd.DataFrame) -> pd.DataFrame:
        n = self.max_seq_length
        if n is None:
            return df
        cut = (lambda x: list(x)[:n]) if self.padding_side == "right" else (lambda x: list(x)[-n:])
        return df.assign(
            **{INPUT_ID_FIELD: df[INPUT_ID_FIELD].map(cut), ATTENTION_MASK_FIELD: df[ATTENTION_MASK_FIELD].map(cut)}
        )

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = self._clip(batch.to_pandas().copy())
        if len(df) == 0:
            out = self.create_output_dataframe(df, self._empty_output())
        else:
            out = self.create_output_dataframe(df, self.collect_outputs(self._run_all(df)))
        if self.has_seq_order:
            out = out.sort_values(SEQ_ORDER_FIELD, kind="stable").drop(columns=[SEQ_ORDER_FIELD])
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=out, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )

    def _empty_output(self) -> Any:
        """What ``collect_outputs`` would give for no rows (an empty batch flows on)."""
        return {}

    def teardown(self) -> None:
        self.__dict__.pop("model", None)
        gc.collect()
        if "torch" in __import__("sys").modules:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
