"""``MegatronTokenizerWriter``: token files in Megatron-LM's indexed-dataset format.

Each ``DocumentBatch`` becomes ``<12 hex>.bin`` (every document's token ids, one after another,
``uint16`` when the vocabulary fits, else ``int32``) and ``<12 hex>.idx``: the header
``MMIDIDX\\x00\\x00``, version ``1`` (u64), the dtype code (u8: 8 for ``uint16``, 4 for ``int32``),
the sequence count and document count (u64 each), then the sequence lengths (i32), the byte
offsets of the sequences in the ``.bin`` (i64) and the document indices ``0 .. n`` (i64), all
little-endian, byte for byte what NeMo Curator 1.4's writer produces for the same tokenizer and
documents. Both files go through the writers' manifest and temporary-file-then-rename (see
``writer.base``), so a failure leaves neither half under a final name.

The tokenizer is a Hugging Face tokenizer (``model_identifier``: a hub name or a local folder);
``setup_on_node`` fetches it once per node, ``setup`` loads it from the local files.
"""

from __future__ import annotations

import itertools
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from curator_dask.backends.base import NodeInfo, WorkerMetadata
from curator_dask.errors import ConfigError, StageSetupError
from curator_dask.stages.text.io.writer.base import BaseWriter
from curator_dask.stages.text.io.writer.manifest import OutputFolder
from curator_dask.tasks import DocumentBatch, FileGroupTask

__all__ = ["_INDEX_HEADER", "MegatronTokenizerWriter"]

logger = logging.getLogger(__name__)

_INDEX_HEADER = b"MMIDIDX\x00\x00"
_UINT16_VOCAB = np.iinfo(np.uint16).max + 1
_DTYPE_CODE = {2: 8, 4: 4}  # token bytes -> Megatron's dtype code (8: uint16, 4: int32)


class AutoTokenizer:
    """``transformers.AutoTokenizer``, imported on first use so that ``import curator_dask`` stays light."""

    @staticmethod
    def from_pretrained(*args: Any, **kwargs: Any) -> Any:
        from transformers import AutoTokenizer as _Auto

        return _Auto.from_pretrained(*args, **kwargs)


def _batched(values: list[str], size: int) -> Iterator[list[str]]:
    it = iter(values)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


@dataclass
class MegatronTokenizerWriter(BaseWriter):
    """Tokenizes ``text_field`` and writes Megatron ``.bin``/``.idx`` files (NeMo Curator's parameters).

    Args:
        path: output folder; ``mode`` as for every writer (see ``writer.base``).
        model_identifier: the Hugging Face tokenizer (hub name or local folder); required.
        cache_dir: Hugging Face cache folder.
        hf_token: token for gated tokenizers.
        text_field: the column to tokenize.
        tokenization_batch_size: documents per tokenizer call (does not change the output).
        append_eod: append the tokenizer's ``eos_token_id`` after every document.
        transformers_init_kwargs: more ``from_pretrained`` options (not ``cache_dir``, ``token`` or
            ``local_files_only``, which have their own handling).

    The returned ``FileGroupTask`` lists ``[<prefix>.bin, <prefix>.idx]``; its ``_metadata`` adds
    ``format="megatron"``, ``file_prefix``, ``num_tokens``, ``token_size`` and ``eod_token_id``.
    """

    model_identifier: str | None = None
    cache_dir: str | None = None
    hf_token: str | None = None
    text_field: str = "text"
    tokenization_batch_size: int = 1000
    append_eod: bool = False
    transformers_init_kwargs: dict[str, Any] = field(default_factory=dict)
    fields: list[str] | None = field(default=None, init=False, repr=False)
    name: str = "megatron_tokenizer_writer"
    file_extension: list[str] = field(default_factory=lambda: [".bin", ".idx"])  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.model_identifier is None:
            msg = f"{self.name}: model_identifier is required; pass a Hugging Face tokenizer name or folder"
            raise ConfigError(msg)
        for key, fix in (("cache_dir", "cache_dir="), ("token", "hf_token="), ("local_files_only", None)):
            if key in self.transformers_init_kwargs:
                how = f"pass {fix} to the stage instead" if fix else "the stage decides when to load local files only"
                msg = f"{self.name}: {key!r} is not allowed in transformers_init_kwargs; {how}"
                raise ConfigError(msg)
        if self.tokenization_batch_size < 1:
            msg = f"{self.name}: tokenization_batch_size must be at least 1, got {self.tokenization_batch_size}"
            raise ConfigError(msg)
        super().__post_init__()

    def get_file_extension(self) -> str:
        return "megatron"

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        try:  # fetch the tokenizer files once per node
            AutoTokenizer.from_pretrained(
                self.model_identifier, cache_dir=self.cache_dir, token=self.hf_token, **self.transformers_init_kwargs
            )
        except Exception as error:
            msg = f"{self.name}: cannot load tokenizer {self.model_identifier!r} ({error}); check the name or folder"
            raise StageSetupError(msg) from error

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(
                self.model_identifier, cache_dir=self.cache_dir, local_files_only=True, **self.transformers_init_kwargs
            )
        except Exception as error:
            logger.warning("Loading %s from local files failed (%s); fetching it", self.model_identifier, error)
            self.tokenizer = AutoTokenizer.from_pretrained(
                self.model_identifier, cache_dir=self.cache_dir, token=self.hf_token, **self.transformers_init_kwargs
            )

    def write_data(self, task: DocumentBatch, fs: Any, fs_path: str) -> None:  # pragma: no cover - process writes
        msg = "MegatronTokenizerWriter writes two files per batch; call process()"
        raise NotImplementedError(msg)

    def process(self, task: DocumentBatch) -> FileGroupTask:
        vocab = self.tokenizer.vocab_size
        if vocab is None:
            logger.warning("tokenizer.vocab_size is not set, assuming 4 bytes per token")
        token_size = 4 if vocab is None or vocab > _UINT16_VOCAB else 2
        eod = self.tokenizer.eos_token_id if self.tokenizer.eos_token_id is not None else -1
        append_eod = self.append_eod and eod != -1
        if self.append_eod and not append_eod:
            logger.warning("tokenizer.eos_token_id is not set, not appending an end-of-document token")
        texts = task.to_pandas()[self.text_field].tolist()
        lengths: list[int] = []
        folder = OutputFolder(self.path, self.write_kwargs.get("storage_options"))
        base = self._base_name(task)

        def write_bin(fs: Any, temp: str) -> None:
            with fs.open(temp, "wb") as handle:
                self._write_tokens(
                    handle,
                    texts,
                    np.dtype(np.int32 if token_size == 4 else np.uint16),
                    eod if append_eod else None,
                    lengths,
                )

        def write_idx(fs: Any, temp: str) -> None:
            with fs.open(temp, "wb") as handle:
                handle.write(index_bytes(lengths, token_size))

        written = [
            self._write_file(folder, f"{base}.bin", write_bin),
            self._write_file(folder, f"{base}.idx", write_idx),
        ]
        metadata = {"format": "megatron", "file_prefix": written[0][: -len(".bin")], "num_tokens": sum(lengths)}
        metadata |= {"token_size": token_size, "eod_token_id": eod}
        return FileGroupTask(
            dataset_name=task.dataset_name,
            data=written,
            _metadata={**task._metadata, **metadata},
            _stage_perf=task._stage_perf,
        )

    def _write_tokens(
        self, handle: BinaryIO, texts: list[str], dtype: np.dtype, eod: int | None, lengths: list[int]
    ) -> None:
        # transformers 5 dropped batch_encode_plus (NeMo Curator 1.4 calls it); calling the tokenizer is the same
        encode = getattr(self.tokenizer, "batch_encode_plus", None) if _has_batch_encode(self.tokenizer) else None
        for chunk in _batched(texts, self.tokenization_batch_size):
            encoded = (encode or self.tokenizer)(
                chunk,
                padding=False,
                truncation=False,
                add_special_tokens=False,
                return_token_type_ids=False,
                return_attention_mask=False,
            ).input_ids
            for ids in encoded:
                tokens = [*ids, eod] if eod is not None else list(ids)
                lengths.append(len(tokens))
                handle.write(np.asarray(tokens, dtype=dtype).tobytes(order="C"))


def _has_batch_encode(tokenizer: Any) -> bool:
    try:
        return callable(getattr(tokenizer, "batch_encode_plus", None))
    except AttributeError:  # transformers 5 raises instead of returning the default
        return False


def index_bytes(lengths: list[int], token_size: int) -> bytes:
    """The ``.idx`` file of sequences with ``lengths`` tokens of ``token_size`` bytes each."""
    sizes = np.asarray(lengths, dtype=np.int32)
    pointers = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(sizes[:-1].astype(np.int64) * token_size, out=pointers[1:])
    documents = np.arange(len(lengths) + 1, dtype=np.int64)
    head = _INDEX_HEADER + struct.pack("<Q", 1) + struct.pack("<B", _DTYPE_CODE[token_size])
    head += struct.pack("<Q", len(lengths)) + struct.pack("<Q", len(documents))
    return head + sizes.tobytes(order="C") + pointers.tobytes(order="C") + documents.tobytes(order="C")
