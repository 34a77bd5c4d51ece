"""MegatronTokenizerWriter: Megatron's .bin/.idx layout from a tokenizer trained in the test."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError, OutputExistsError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.writer import MegatronTokenizerWriter
from curator_dask.stages.text.io.writer.megatron_tokenizer import _INDEX_HEADER
from curator_dask.tasks import DocumentBatch
from tests.stages.text.io.megatron_data import TEXTS, documents, tiny_tokenizer


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return tiny_tokenizer(tmp_path_factory.mktemp("tok"))


def _write(tokenizer_dir: str, out: Path, **options: object) -> tuple[MegatronTokenizerWriter, object]:
    writer = MegatronTokenizerWriter(path=str(out), model_identifier=tokenizer_dir, **options)  # type: ignore[arg-type]
    writer.setup()
    return writer, writer.process(DocumentBatch(dataset_name="d", data=documents(), _metadata={"k": "v"}))


def test_files_hold_the_tokens_and_megatrons_index(tokenizer_dir: str, tmp_path: Path) -> None:
    writer, result = _write(tokenizer_dir, tmp_path / "out", append_eod=True, tokenization_batch_size=3)
    bin_path, idx_path = result.data
    assert bin_path.endswith(".bin") and idx_path.endswith(".idx")
    expected = [
        [*writer.tokenizer(t, add_special_tokens=False).input_ids, writer.tokenizer.eos_token_id] for t in TEXTS
    ]
    tokens = np.fromfile(bin_path, dtype=np.uint16)
    assert tokens.tolist() == [i for ids in expected for i in ids]
    raw = Path(idx_path).read_bytes()
    assert raw[:9] == _INDEX_HEADER
    version, code, sequences, docs = struct.unpack_from("<QBQQ", raw, 9)
    assert (version, code, sequences, docs) == (1, 8, 4, 5)
    lengths = np.frombuffer(raw, np.int32, 4, 34)
    pointers = np.frombuffer(raw, np.int64, 4, 34 + 16)
    assert lengths.tolist() == [len(e) for e in expected]
    assert pointers.tolist() == [0, *np.cumsum(lengths[:-1] * 2).tolist()]
    assert np.frombuffer(raw, np.int64, 5, 34 + 48).tolist() == [0, 1, 2, 3, 4]
    assert result._metadata | {} == {"k": "v", "format": "megatron", "file_prefix": bin_path[:-4]} | {
        "num_tokens": int(lengths.sum()),
        "token_size": 2,
        "eod_token_id": writer.tokenizer.eos_token_id,
    }
    assert not [p for p in (tmp_path / "out").iterdir() if ".tmp-" in p.name]


def test_pipeline_run_writes_through_the_manifest(tokenizer_dir: str, tmp_path: Path, client: object) -> None:
    from curator_dask.stages.text.io.reader import ParquetReader

    (tmp_path / "in").mkdir()
    documents().to_parquet(tmp_path / "in" / "a.parquet")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep")
    stages = [
        ParquetReader(str(tmp_path / "in")),
        MegatronTokenizerWriter(str(tmp_path / "out"), model_identifier=tokenizer_dir, mode="overwrite"),
    ]
    with pytest.raises(OutputExistsError, match=r"mine\.txt"):
        Pipeline("p", stages=stages).run(DaskExecutor(client=client))
    (tmp_path / "out" / "mine.txt").unlink()
    tasks = Pipeline("p", stages=stages).run(DaskExecutor(client=client))
    assert sorted(Path(p).suffix for p in tasks[0].data) == [".bin", ".idx"]
    assert sorted(p.name for p in (tmp_path / "out" / ".curator_dask" / "written").iterdir()) == sorted(
        f"{Path(p).name}.entry" for p in tasks[0].data
    )


def test_bad_options_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="model_identifier is required"):
        MegatronTokenizerWriter(path="out")
    with pytest.raises(ConfigError, match="'token' is not allowed in transformers_init_kwargs; pass hf_token="):
        MegatronTokenizerWriter(path="out", model_identifier="m", transformers_init_kwargs={"token": "x"})
