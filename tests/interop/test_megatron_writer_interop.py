"""MegatronTokenizerWriter writes the bytes NeMo Curator 1.4's writer writes (interop venv only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nemo_curator.stages.text.io.writer.megatron_tokenizer", reason="needs nemo_curator (interop venv)")

from nemo_curator.stages.text.io.writer.megatron_tokenizer import MegatronTokenizerWriter as NemoWriter
from nemo_curator.tasks import DocumentBatch as NemoBatch

from curator_dask.stages.text.io.writer import MegatronTokenizerWriter
from curator_dask.tasks import DocumentBatch
from tests.stages.text.io.megatron_data import documents, tiny_tokenizer


class _BatchEncodePlus:
    """NeMo Curator 1.4 calls ``batch_encode_plus``, which transformers 5 removed; this forwards it to ``__call__``."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self.vocab_size = tokenizer.vocab_size
        self.eos_token_id = tokenizer.eos_token_id

    def batch_encode_plus(self, texts: list[str], **kwargs: Any) -> Any:
        return self._tokenizer(texts, **kwargs)


@pytest.mark.parametrize("append_eod", [False, True])
def test_bin_and_idx_match_nemo_byte_for_byte(tmp_path: Path, append_eod: bool) -> None:
    tokenizer = tiny_tokenizer(tmp_path / "tok")
    metadata = {"source_files": ["a.jsonl"]}
    nemo = NemoWriter(
        path=str(tmp_path / "nemo"), model_identifier=tokenizer, append_eod=append_eod, tokenization_batch_size=3
    )
    nemo.setup()
    nemo.tokenizer = _BatchEncodePlus(nemo.tokenizer)
    theirs = nemo.process(NemoBatch(dataset_name="d", data=documents(), _metadata=dict(metadata)))
    ours_writer = MegatronTokenizerWriter(
        path=str(tmp_path / "ours"), model_identifier=tokenizer, append_eod=append_eod
    )
    ours_writer.setup()
    ours = ours_writer.process(DocumentBatch(dataset_name="d", data=documents(), _metadata=dict(metadata)))
    for mine, nemo_file in zip(ours.data, theirs.data, strict=True):
        assert Path(mine).name == Path(nemo_file).name  # same deterministic name for the same source files
        assert Path(mine).read_bytes() == Path(nemo_file).read_bytes()
    for key in ("num_tokens", "token_size", "eod_token_id"):
        assert ours._metadata[key] == theirs._metadata[key]
