"""Our ``CommonCrawlDownloadExtractStage`` against NeMo Curator 1.4's, record by record, per extractor.

Both stages download the same WARC files from a loopback server (ours with urllib, NeMo's with
``wget``), read them (ours with fastwarc, NeMo's with warcio), and extract each response's text
with justext, resiliparse and trafilatura. Ours runs on DaskExecutor; NeMo's stages are called in
order in this process. Every record must have the same text, language, WARC id, source id and
file name. Language detection is the same on both sides by construction (see ``nemo_download``);
trafilatura runs with ``deduplicate=False`` because its duplicate cache is one per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from curator_dask.backends.dask import DaskExecutor
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.download import CommonCrawlDownloadExtractStage
from tests.interop.nemo_download import nemo_download
from tests.stages.text.download.common_crawl.fake_crawl import crawl_pages, write_crawl
from tests.stages.text.download.http_server import LoopbackServer

EXTRACTORS: list[tuple[str, dict[str, Any]]] = [
    ("justext", {}),
    ("resiliparse", {}),
    ("trafilatura", {"deduplicate": False}),
]
COLUMNS = ["url", "warc_id", "source_id", "language", "text", "file_name"]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackServer]:
    root = tmp_path_factory.mktemp("crawl")
    write_crawl(root, crawl_pages(huge_paragraphs=300), files=2)
    server = LoopbackServer(root)
    yield server
    server.close()


def run_nemo(nemo: Any, download_dir: Path, server: LoopbackServer, algorithm: str, kwargs: dict[str, Any]) -> Any:
    """NeMo's stage on the loopback crawl, its stages called in order; the documents as one frame."""
    from nemo_curator.tasks import EmptyTask

    stage = nemo.CommonCrawlDownloadExtractStage(
        "2024-10", "2024-10", str(download_dir), html_extraction=algorithm, html_extraction_kwargs=kwargs
    )
    stage.url_generator.data_prefix = server.url  # NeMo's stage has no parameter for a mirror
    stage.url_generator.index_prefix = server.url
    tasks: list[Any] = [EmptyTask]
    for sub in stage.decompose():
        outputs: list[Any] = []
        for task in tasks:
            out = sub.process(task)
            outputs.extend(out if isinstance(out, list) else [out])
        tasks = outputs
    return pd.concat([t.to_pandas() for t in tasks], ignore_index=True)


def _ours(download_dir: Path, server: LoopbackServer, algorithm: str, kwargs: dict[str, Any], client: Any) -> Any:
    stage = CommonCrawlDownloadExtractStage(
        "2024-10",
        "2024-10",
        str(download_dir),
        html_extraction=algorithm,
        html_extraction_kwargs=kwargs,
        data_prefix=server.url,
        index_prefix=server.url,
    )
    batches = Pipeline("cc", stages=[stage]).run(DaskExecutor({"progress": False}, client=client))
    return pd.concat([b.to_pandas() for b in batches], ignore_index=True)


@pytest.mark.parametrize(("algorithm", "kwargs"), EXTRACTORS, ids=[a for a, _ in EXTRACTORS])
def test_same_documents_as_nemo_curators_stage(
    crawl: LoopbackServer, tmp_path: Path, client: Any, algorithm: str, kwargs: dict[str, Any]
) -> None:
    with nemo_download() as nemo:
        theirs = run_nemo(nemo, tmp_path / "nemo", crawl, algorithm, kwargs)
        ours = _ours(tmp_path / "ours", crawl, algorithm, kwargs, client)
    theirs = theirs[COLUMNS].sort_values("url", ignore_index=True)
    ours = ours[COLUMNS].sort_values("url", ignore_index=True)
    assert len(ours) >= 8  # the multilingual pages, the legacy charsets and the huge page came through
    pd.testing.assert_frame_equal(ours, theirs)
