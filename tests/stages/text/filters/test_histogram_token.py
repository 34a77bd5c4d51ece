"""``HistogramFilter`` (histograms from a cache folder or a loopback download) and ``TokenCountFilter``
(a tokenizer trained in the test, loaded by the stage's setup on the cluster's workers)."""

from __future__ import annotations

import functools
import http.server
import io
import pickle
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.histogram import HistogramFilter
from curator_dask.stages.text.filters.token import TokenCountFilter
from curator_dask.tasks import DocumentBatch
from tests.stages.text.filters.tokenizers_for_tests import save_transformers_tokenizer

HIST = ("checkpoint", "edunov", "cc60_multilingual", "clean_hists")
LATIN = "etaoinshrdlucmfwypvbgkqjxz ."
HAN = "的一是不了人我在有他这中大来上"


def _write_histograms(root: Path) -> None:
    folder = root.joinpath(*HIST)
    folder.mkdir(parents=True)
    for lang, chars in (("en", LATIN), ("zh", HAN)):
        # One character per line, most frequent first, then the "]" line that ends the list.
        (folder / lang).write_text("".join(f"{c}\t100\n" for c in chars) + "]\t1\nq\t1\n", encoding="utf-8")


def _kept(filter_obj: Any, docs: list[str]) -> list[str]:
    batch = DocumentBatch(dataset_name="h", data=pd.DataFrame({"text": docs}))
    return ScoreFilter(filter_obj).process(batch).to_pandas()["text"].tolist()


DOCS = ["this is a plain latin sentence.", "这是一个中文的句子", "中文 mixed 中文中文"]


def test_histogram_filter_reads_the_cache_folder(tmp_path: Path) -> None:
    _write_histograms(tmp_path / "histograms")
    assert _kept(HistogramFilter(lang="en", cache_dir=str(tmp_path)), DOCS) == [DOCS[0]]
    zh = HistogramFilter(lang="zh", cache_dir=str(tmp_path), threshold=0.5)
    assert _kept(zh, DOCS) == [DOCS[1]]
    assert zh.score_document("") == 0
    assert pickle.loads(pickle.dumps(zh))._histogram is None  # workers read their node's copy


@pytest.fixture
def histogram_server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server serving a histograms.tar.gz built from ``_write_histograms``."""
    source = tmp_path / "src"
    _write_histograms(source)
    site = tmp_path / "site"
    site.mkdir()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(source / "checkpoint", arcname="checkpoint")
    (site / "histograms.tar.gz").write_bytes(buffer.getvalue())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/histograms.tar.gz"
    server.shutdown()
    server.server_close()


def test_histogram_filter_downloads_once_into_the_cache(tmp_path: Path, histogram_server: str) -> None:
    class Served(HistogramFilter):
        histograms_url = histogram_server

    cache = tmp_path / "cache"
    f = Served(lang="en", cache_dir=str(cache))
    f.model_check_or_download()  # what setup_on_node runs, once per node
    assert (cache / "histograms").joinpath(*HIST, "en").is_file()
    assert sorted(p.name for p in cache.iterdir()) == ["histograms"]  # no archive or temp folder left
    assert _kept(f, DOCS) == [DOCS[0]]


def test_histogram_filter_errors_name_the_fix(tmp_path: Path) -> None:
    class Unreachable(HistogramFilter):
        histograms_url = "http://127.0.0.1:9/histograms.tar.gz"

    with pytest.raises(ConfigError, match=r"could not download http://127\.0\.0\.1:9/histograms\.tar\.gz .*unpack it"):
        Unreachable(cache_dir=str(tmp_path / "c")).model_check_or_download()
    _write_histograms(tmp_path / "histograms")
    with pytest.raises(ConfigError, match=r"lang='xx'\): there is no histogram .*; languages there: \['en', 'zh'\]"):
        HistogramFilter(lang="xx", cache_dir=str(tmp_path)).load_model()


class WhitespaceTokenizer:
    """Anything with ``encode`` will do, as in NeMo Curator."""

    def encode(self, text: str) -> list[str]:
        return text.split()


def test_token_count_with_a_tokenizer_object() -> None:
    f = TokenCountFilter(WhitespaceTokenizer(), min_tokens=2, max_tokens=3)
    assert _kept(f, ["one", "one two", "one two three four", "a b c"]) == ["one two", "a b c"]
    assert _kept(TokenCountFilter(WhitespaceTokenizer()), ["", "x"]) == ["", "x"]  # no bounds by default


def test_token_count_errors() -> None:
    with pytest.raises(ValueError, match=r"^Either tokenizer or hf_model_name must be provided: pass"):
        TokenCountFilter()
    with pytest.raises(ValueError, match=r"^Either tokenizer or hf_model_name must be provided, not both"):
        TokenCountFilter(WhitespaceTokenizer(), hf_model_name="m")
    with pytest.raises(ConfigError, match=r"^Passing the local_files_only parameter is not allowed"):
        TokenCountFilter(hf_model_name="m", transformers_init_kwargs={"local_files_only": False})


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_transformers_tokenizer(tmp_path_factory.mktemp("tok"))


def test_token_count_loads_a_local_hugging_face_tokenizer(model_dir: Path) -> None:
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(model_dir))
    docs = ["print(item)", "the quick brown fox jumps over the lazy dog", ""]
    f = TokenCountFilter(hf_model_name=str(model_dir), min_tokens=3, max_tokens=8)
    f.model_check_or_download()  # a local folder: nothing to fetch
    f.load_tokenizer()
    counts = [len(reference.encode(d)) for d in docs]  # [CLS] and [SEP] included
    assert f.score_batch(pd.Series(docs)).tolist() == counts == [f.score_document(d) for d in docs]
    assert pickle.loads(pickle.dumps(f))._token_count_filter_tokenizer is None  # each worker loads its own
    assert _kept(f, docs) == [d for d, n in zip(docs, counts, strict=True) if 3 <= n <= 8]


@pytest.mark.slow  # the workers import transformers
def test_token_count_runs_on_the_cluster_workers(client: Any, model_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(model_dir))
    docs = [f"print(item) {' for item in items' * k}" for k in range(6)]
    batches = [DocumentBatch(dataset_name="t", data=pd.DataFrame({"text": docs[i::2]})) for i in range(2)]
    stage = ScoreFilter(TokenCountFilter(hf_model_name=str(model_dir), max_tokens=12), score_field="tokens")
    out = Pipeline("tokens", stages=[stage]).run(DaskExecutor(client=client), initial_tasks=batches)
    result = pd.concat([t.to_pandas() for t in out]).sort_values("tokens")
    expected = sorted(n for n in (len(reference.encode(d)) for d in docs) if n <= 12)
    assert result["tokens"].tolist() == expected and len(expected) < len(docs)
