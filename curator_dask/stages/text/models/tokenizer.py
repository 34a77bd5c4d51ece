"""``TokenizerStage``: tokenises text on CPU workers for a ``ModelStage`` downstream."""

from __future__ import annotations

import os
from typing import Any, Literal

import pandas as pd

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.errors import ConfigError, InputError
from curator_dask.models.weights import local_snapshot, stage_snapshot
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.models.utils import (
    ATTENTION_MASK_FIELD,
    INPUT_ID_FIELD,
    SEQ_ORDER_FIELD,
    format_name_with_suffix,
    sort_by_length,
)
from curator_dask.tasks import DocumentBatch

__all__ = ["TokenizerStage"]

_RESERVED_KWARGS = ("cache_dir", "padding_side")
_HF_LENGTH_BUG = 100_000  # some tokenizers report model_max_length = 2**63: use the config instead


class TokenizerStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Tokenise ``text_field`` with a Hugging Face tokenizer; optionally sort rows by token count.

    Differences from NeMo Curator: the token lists are not padded here (``ModelStage`` pads each
    micro-batch to its own longest document, so a batch holds no ``max_seq_length`` wide rows), and
    ``max_chars`` limits what the tokenizer sees without cutting the text column itself.

    Args:
        model_identifier: Hugging Face repo id or local folder of the tokenizer (usually the model's).
        cache_dir: Hugging Face cache folder; None for the default (``HF_HOME`` / ``HF_HUB_CACHE``).
        hf_token: token for gated or private repositories.
        text_field: the text column.
        max_chars: the tokenizer sees at most this many characters of each text (None: all).
        max_seq_length: at most this many tokens per text (None: the tokenizer's ``model_max_length``).
        padding_side: ``"right"`` or ``"left"``, passed to the tokenizer.
        sort_by_length: sort rows by token count (adds ``_curator_seq_order`` to restore the order).
        unk_token: use the tokenizer's unk token as its pad token.
        transformers_init_kwargs: more ``AutoTokenizer.from_pretrained`` keyword arguments.
    """

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        hf_token: str | None = None,
        text_field: str = "text",
        max_chars: int | None = None,
        max_seq_length: int | None = None,
        padding_side: Literal["left", "right"] = "right",
        sort_by_length: bool = True,
        unk_token: bool = False,
        transformers_init_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.name = format_name_with_suffix(model_identifier, suffix="_tokenizer")
        self.model_identifier = model_identifier
        self.cache_dir = cache_dir
        self.hf_token = hf_token
        self.text_field = text_field
        self.max_chars = max_chars
        self.max_seq_length = max_seq_length
        if padding_side not in ("left", "right"):
            msg = f"TokenizerStage({model_identifier!r}): padding_side must be 'left' or 'right', got {padding_side!r}"
            raise ConfigError(msg)
        self.padding_side = padding_side
        self.sort_by_length = sort_by_length
        self.unk_token = unk_token
        kwargs = dict(transformers_init_kwargs or {})
        for key in _RESERVED_KWARGS:
            if key in kwargs:
                msg = (
                    f"Pass the {key} parameter directly to the stage instead of using the "
                    "transformers_init_kwargs dictionary"
                )
                raise ConfigError(msg)
        if "local_files_only" in kwargs:
            msg = "Passing the local_files_only parameter is not allowed: the stage stages weights itself"
            raise ConfigError(msg)
        self.transformers_init_kwargs = kwargs

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.text_field]

    def outputs(self) -> tuple[list[str], list[str]]:
        order = [SEQ_ORDER_FIELD] if self.sort_by_length else []
        return ["data"], [self.text_field, INPUT_ID_FIELD, ATTENTION_MASK_FIELD, *order]

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        stage_snapshot(self.model_identifier, self.cache_dir, self.hf_token)

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # a worker thread, not a fork-safe pool
        from transformers import AutoConfig, AutoTokenizer

        folder = local_snapshot(self.model_identifier, self.cache_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(
            str(folder), padding_side=self.padding_side, local_files_only=True, **self.transformers_init_kwargs
        )
        if self.unk_token:
            self.tokenizer.pad_token = self.tokenizer.unk_token
        if self.max_seq_length is None:
            self.max_seq_length = int(self.tokenizer.model_max_length)
            if self.max_seq_length > _HF_LENGTH_BUG:
                config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
                self.max_seq_length = int(config.max_position_embeddings)

    def _texts(self, df: pd.DataFrame, batch: DocumentBatch) -> list[str]:
        texts = df[self.text_field]
        bad = texts.map(lambda t: not isinstance(t, str))
        if bad.any():
            row = texts.index[bad.to_numpy()][0]
            msg = (
                f"Stage {self.name!r}: column {self.text_field!r} of batch {batch.task_id!r} holds "
                f"{bad.sum()} non-text value(s), first at row {row!r} ({texts[row]!r}). Fix: fill or drop "
                f"missing texts before tokenising (e.g. a Filter on {self.text_field!r})."
            )
            raise InputError(msg)
        if self.max_chars is not None and self.max_chars > 0:
            texts = texts.str.slice(0, self.max_chars)
        return texts.tolist()

    def process(self, batch: DocumentBatch) -> DocumentBatch:
        df = batch.to_pandas()
        output = df.copy()
        texts = self._texts(df, batch)
        if texts:
            tokens = self.tokenizer(
                texts,
                max_length=self.max_seq_length,
                truncation=True,
                padding=False,
                add_special_tokens=True,
                return_token_type_ids=False,
                return_attention_mask=True,
            )
            ids, mask = tokens["input_ids"], tokens["attention_mask"]
        else:
            ids, mask = [], []
        output[INPUT_ID_FIELD] = pd.Series(ids, index=output.index, dtype=object)
        output[ATTENTION_MASK_FIELD] = pd.Series(mask, index=output.index, dtype=object)
        if self.sort_by_length:
            output = sort_by_length(output, [len(m) for m in mask])
        return DocumentBatch(
            dataset_name=batch.dataset_name, data=output, _metadata=batch._metadata, _stage_perf=batch._stage_perf
        )
