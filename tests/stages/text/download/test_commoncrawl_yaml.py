"""The packaged ``commoncrawl`` pipeline: loads with NeMo's stage names, runs with ``curator-dask run``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.config import load_pipeline_config
from curator_dask.config.loader import PIPELINES_DIR
from curator_dask.config.values import read_yaml
from tests.stages.text.download.common_crawl.fake_crawl import crawl_pages, write_crawl
from tests.stages.text.download.http_server import LoopbackServer
from tests.stages.text.download.warc_files import Page

REQUIRED = ["start_snapshot=2024-10", "end_snapshot=2024-10", "download_dir=/data/warc", "output_path=/data/out"]


def test_the_cascade_is_heuristic_english_s_and_the_stages_are_in_order() -> None:
    ours = read_yaml(PIPELINES_DIR / "commoncrawl.yaml")["stages"]
    english = read_yaml(PIPELINES_DIR / "heuristic_english.yaml")["stages"]
    assert ours[1:-3] == english[1:-1]  # Unicode repair, language id, the 28 filters: one definition, kept equal
    config = load_pipeline_config("commoncrawl", REQUIRED)
    names = [s.name for s in config.pipeline().build()]
    assert names[:3] == [
        "url_generation_maincommoncrawlurlgenerator",
        "download_commoncrawlwarcdownloader",
        "iterate_extract_commoncrawlwarciterator_commoncrawlhtmlextractor",
    ]
    assert names[-2:] == ["exact_duplicate_identification", "parquet_writer"]


@pytest.mark.slow  # a CLI process starting its own two-worker cluster: about 30 s on 2 shared cores
def test_curator_dask_run_commoncrawl_from_a_loopback_server(served: Path, server: LoopbackServer, tmp_path: Path):
    pages = crawl_pages(huge_paragraphs=50)
    english = next(p for p in pages if p.url.endswith("/boilerplate_en"))
    pages.append(Page("https://mirror.example.com/copy", english.body))  # an exact duplicate elsewhere
    write_crawl(served, pages, files=2)
    out = tmp_path / "out"
    overrides = [f"data_prefix={server.url}", f"index_prefix={server.url}", f"download_dir={tmp_path / 'warc'}"]
    args = ["run", "commoncrawl", "start_snapshot=2024-10", "end_snapshot=2024-10", f"output_path={out}", *overrides]
    command = [sys.executable, "-m", "curator_dask.cli", *args, "--local", "--n-workers", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    frame = pd.concat([pd.read_parquet(f) for f in sorted(out.glob("*.parquet"))], ignore_index=True)
    assert set(frame["language"]) == {"ENGLISH"}  # German, Russian, Japanese ... removed by language id
    assert frame["text"].is_unique  # the copy is gone
    copies = frame["url"].isin(["https://example.com/boilerplate_en", "https://mirror.example.com/copy"])
    assert copies.sum() == 1  # the page passed every filter, and exact dedup kept one of its two copies
    assert {"url", "warc_id", "source_id", "language", "text", "file_name"} <= set(frame.columns)
    assert "_curator_dedup_id" not in frame.columns
