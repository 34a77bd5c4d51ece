"""``TokenizerStage`` and ``ModelStage`` in one process, on the tiny quality classifier's files."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from curator_dask.errors import ConfigError, InputError, StageSetupError  # noqa: E402
from curator_dask.stages.text.classifiers.base import ClassifierModelStage  # noqa: E402
from curator_dask.stages.text.models import ModelStage, TokenizerStage  # noqa: E402
from curator_dask.stages.text.models.utils import (  # noqa: E402
    ATTENTION_MASK_FIELD,
    INPUT_ID_FIELD,
    SEQ_ORDER_FIELD,
    format_name_with_suffix,
    keep_tensors_on_the_heap,
    pad_micro_batch,
)
from tests.models.parts import CPU, QUALITY, batch, run_in_process, texts  # noqa: E402


def _tokenizer(hub_cache: str, **kwargs) -> TokenizerStage:
    stage = TokenizerStage(QUALITY, cache_dir=hub_cache, **kwargs)
    stage.setup_on_node()
    stage.setup()
    return stage


def test_names_follow_nemo():
    assert format_name_with_suffix("nvidia/quality-classifier-deberta", "_model") == "quality_classifier_deberta_model"
    assert TokenizerStage(QUALITY).name == "quality_classifier_deberta_tokenizer"
    assert ModelStage(QUALITY).resources.gpus == 1, "inference asks for a GPU by default"


def test_tokens_are_unpadded_sorted_by_length_and_keep_the_index(hub_cache):
    df = texts()
    out = _tokenizer(hub_cache, max_seq_length=64).process(batch(df)).to_pandas()
    lengths = out[ATTENTION_MASK_FIELD].map(len).tolist()
    assert lengths == sorted(lengths) and max(lengths) == 64 and min(lengths) == 2, "[CLS] [SEP] for ''"
    assert all(len(i) == len(m) == sum(m) for i, m in zip(out[INPUT_ID_FIELD], out[ATTENTION_MASK_FIELD], strict=True))
    restored = out.sort_values(SEQ_ORDER_FIELD)
    assert restored.index.tolist() == df.index.tolist()
    pd.testing.assert_series_equal(restored["text"], df["text"])


def test_max_chars_limits_what_is_tokenised_not_the_text(hub_cache):
    df = texts()
    short = _tokenizer(hub_cache, max_chars=10, sort_by_length=False).process(batch(df)).to_pandas()
    assert short["text"].equals(df["text"]), "the text column is the user's and stays whole"
    assert short[ATTENTION_MASK_FIELD].map(len).max() <= 12
    assert SEQ_ORDER_FIELD not in short


def test_non_text_values_are_named_with_the_fix(hub_cache):
    df = pd.DataFrame({"text": ["fine", None, "also fine"]})
    with pytest.raises(InputError, match=r"column 'text' of batch .* holds 1 non-text value\(s\), first at row 1"):
        _tokenizer(hub_cache).process(batch(df))


def test_an_empty_batch_flows_through_tokenizer_and_model(hub_cache):
    empty = batch(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    stages = [TokenizerStage(QUALITY, cache_dir=hub_cache), ClassifierModelStage(QUALITY, cache_dir=hub_cache)]
    out = run_in_process(stages, empty).to_pandas()
    assert len(out) == 0 and "preds" in out.columns


@pytest.mark.parametrize("key", ["cache_dir", "padding_side", "local_files_only"])
def test_reserved_tokenizer_kwargs_are_refused(key):
    with pytest.raises(ConfigError, match=key):
        TokenizerStage(QUALITY, transformers_init_kwargs={key: "x"})


def test_padding_side_is_checked():
    with pytest.raises(ConfigError, match=r"padding_side must be 'left' or 'right', got 'up'"):
        TokenizerStage(QUALITY, padding_side="up")  # type: ignore[arg-type]


@pytest.mark.parametrize("side", ["right", "left"])
def test_micro_batches_pad_to_their_own_longest_row_from_padded_or_unpadded_rows(side):
    unpadded = pad_micro_batch([[5, 6, 7], [8]], [[1, 1, 1], [1]], side)
    padded_rows = [[5, 6, 7, 0, 0], [8, 0, 0, 0, 0]] if side == "right" else [[0, 0, 5, 6, 7], [0, 0, 0, 0, 8]]
    masks = [[int(t != 0) for t in r] for r in padded_rows]
    padded = pad_micro_batch(padded_rows, masks, side)
    for got in (unpadded, padded):
        assert got[INPUT_ID_FIELD].shape == (2, 3)
        expect = [[5, 6, 7], [8, 0, 0]] if side == "right" else [[5, 6, 7], [0, 0, 8]]
        assert got[INPUT_ID_FIELD].tolist() == expect
        assert got[ATTENTION_MASK_FIELD].sum(dim=1).tolist() == [3, 1]


class _Echo(torch.nn.Module):
    """A model that returns each row's token count, and runs out of memory above ``limit`` rows."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.calls: list[int] = []
        self.shapes: list[tuple[int, int]] = []

    def forward(self, batch: dict) -> torch.Tensor:
        rows = batch[ATTENTION_MASK_FIELD].shape[0]
        self.calls.append(rows)
        self.shapes.append(tuple(batch[ATTENTION_MASK_FIELD].shape))
        if rows > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory (test model)")
        return batch[ATTENTION_MASK_FIELD].sum(dim=1)


class _CountStage(ModelStage):
    def __init__(self, limit: int) -> None:
        super().__init__("org/echo", model_inference_batch_size=8)
        self.limit = limit

    def setup_on_node(self, node_info=None, worker_metadata=None) -> None:
        pass

    def _setup(self, local_files_only: bool = True) -> None:
        self.model = _Echo(self.limit)

    def outputs(self):
        return ["data"], ["n"]

    def process_model_output(self, outputs, model_input_batch=None):
        return {"n": outputs.numpy()}

    def create_output_dataframe(self, df_cpu, collected_output):
        return df_cpu.drop(columns=[INPUT_ID_FIELD, ATTENTION_MASK_FIELD]).assign(n=collected_output["n"])


def test_out_of_memory_halves_the_micro_batch_with_a_warning_and_keeps_order(hub_cache, caplog):
    df = texts()
    tokens = _tokenizer(hub_cache, max_seq_length=64).process(batch(df))
    stage = _CountStage(limit=3).with_(resources=CPU)
    stage.setup()
    with caplog.at_level(logging.WARNING):
        out = stage.process(tokens).to_pandas()
    assert stage.model.calls[:3] == [8, 4, 2], "8 rows fail, 4 rows fail, then 2 rows per pass"
    assert set(stage.model.calls[3:]) == {2}
    assert "out of GPU memory on 8 rows; retrying at 4 rows" in caplog.text
    assert out.index.tolist() == df.index.tolist(), "original document order and index"
    expected = tokens.to_pandas().sort_values(SEQ_ORDER_FIELD)[ATTENTION_MASK_FIELD].map(sum)
    assert out["n"].tolist() == expected.tolist()


def test_on_cpu_a_micro_batch_stops_at_the_token_budget_and_keeps_order(hub_cache):
    df = texts()
    tokens = _tokenizer(hub_cache, max_seq_length=64).process(batch(df))
    expected = tokens.to_pandas().sort_values(SEQ_ORDER_FIELD)[ATTENTION_MASK_FIELD].map(sum).tolist()
    budgeted = _CountStage(limit=100).with_(resources=CPU)
    budgeted.cpu_tokens_per_forward = 64
    rows_only = _CountStage(limit=100).with_(resources=CPU)
    rows_only.cpu_tokens_per_forward = None
    for stage in (budgeted, rows_only):
        stage.setup()
        out = stage.process(tokens).to_pandas()
        assert out.index.tolist() == df.index.tolist() and out["n"].tolist() == expected
    assert rows_only.model.calls == [8, 8, 8], "row count only: model_inference_batch_size rows per pass"
    assert all(rows * width <= 64 or rows == 1 for rows, width in budgeted.model.shapes)
    assert budgeted.model.shapes[0][0] > 1 and budgeted.model.shapes[-1] == (1, 64), "short rows share, long go alone"
    assert sum(budgeted.model.calls) == len(df)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_heap_threshold_is_set_on_linux_unless_the_user_set_one(monkeypatch):
    assert keep_tensors_on_the_heap() is True, "glibc accepted a 64 MiB mmap threshold"
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert keep_tensors_on_the_heap() is False, "the user's own threshold stands"


def test_out_of_memory_on_a_single_row_is_raised():
    stage = _CountStage(limit=0).with_(resources=CPU)
    stage.setup()
    tokens = pd.DataFrame({INPUT_ID_FIELD: [[1, 2]], ATTENTION_MASK_FIELD: [[1, 1]], SEQ_ORDER_FIELD: [0]})
    with pytest.raises(torch.OutOfMemoryError):
        stage.process(batch(tokens))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_a_gpu_stage_on_a_worker_without_cuda_says_how_to_run_on_cpu():
    stage = _CountStage(limit=8)
    with pytest.raises(StageSetupError, match=r"asks for a GPU \(Resources\(gpus=1\)\) but torch on .* sees no CUDA"):
        stage.setup()


def test_max_seq_length_clips_existing_tokens_on_the_padding_side(hub_cache):
    rows = pd.DataFrame({INPUT_ID_FIELD: [[1, 2, 3, 4, 5]], ATTENTION_MASK_FIELD: [[1, 1, 1, 1, 1]]})
    for side, kept in (("right", [1, 2, 3]), ("left", [3, 4, 5])):
        stage = _CountStage(limit=8)
        stage.max_seq_length, stage.padding_side, stage.has_seq_order = 3, side, False
        assert stage._clip(rows)[INPUT_ID_FIELD].iloc[0] == kept
    assert np.array_equal(rows[INPUT_ID_FIELD].iloc[0], [1, 2, 3, 4, 5]), "the input frame is not changed"
