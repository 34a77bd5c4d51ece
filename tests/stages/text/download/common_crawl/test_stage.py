"""``CommonCrawlDownloadExtractStage`` end to end on DaskExecutor, from a loopback server."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.download import CommonCrawlDownloadExtractStage
from curator_dask.stages.text.download.html_extractors import JusTextExtractor
from curator_dask.stages.text.download.html_extractors.utils import get_stop_list_dict
from curator_dask.tasks import DocumentBatch
from tests.stages.text.download.common_crawl.fake_crawl import crawl_pages, write_crawl
from tests.stages.text.download.html_extractors.pages import ARTICLE
from tests.stages.text.download.http_server import LoopbackServer
from tests.stages.text.download.slow_pages import SLOW_MARK, SlowOnMark
from tests.stages.text.download.warc_files import Page, corrupt_record, write_warc


def _stage(tmp_path: Path, server: LoopbackServer, **kwargs: Any) -> CommonCrawlDownloadExtractStage:
    return CommonCrawlDownloadExtractStage(
        "2024-10",
        "2024-10",
        str(tmp_path / "warc"),
        data_prefix=server.url,
        index_prefix=server.url,
        retry_backoff_s=0.01,
        **kwargs,
    )


def _run(stage: CommonCrawlDownloadExtractStage, client: Any) -> tuple[pd.DataFrame, list[DocumentBatch]]:
    batches = Pipeline("cc", stages=[stage]).run(DaskExecutor({"progress": False}, client=client))
    assert all(isinstance(b, DocumentBatch) for b in batches)
    frame = pd.concat([b.to_pandas() for b in batches], ignore_index=True)
    return frame.sort_values("url", ignore_index=True), batches  # type: ignore[return-value]


def _metric(batches: list[DocumentBatch], name: str) -> float:
    return sum(p.custom_metrics.get(name, 0.0) for b in batches for p in b._stage_perf if p.stage_name.startswith("it"))


@pytest.mark.slow  # two pipeline runs over 13 pages, one of them huge: about 6 s on 2 shared cores
def test_urls_to_documents_and_a_rerun_downloads_nothing(served: Path, server: LoopbackServer, tmp_path: Path, client):
    pages = crawl_pages(huge_paragraphs=1000)
    paths = write_crawl(served, pages, files=2)
    frame, batches = _run(_stage(tmp_path, server, extract_timeout_s=None), client)
    by_url = frame.set_index("url")
    assert list(frame.columns) == ["url", "warc_id", "source_id", "language", "text", "file_name"]
    # What jusText keeps of each page, with the page's detected language, is the stage's text.
    stop_lists = get_stop_list_dict()
    expected = {}
    for page in pages:
        html = page.body.decode("utf-8") if page.content_type.endswith("utf-8") else None
        if html is not None:
            language = by_url.loc[page.url, "language"] if page.url in by_url.index else None
            if language is not None:
                expected[page.url] = "\n\n".join(JusTextExtractor().extract_text(html, stop_lists[language], language))
    assert {u: by_url.loc[u, "text"] for u in expected} == expected
    english = by_url.loc["https://example.com/boilerplate_en"]
    assert english["language"] == "ENGLISH" and ARTICLE[0] in english["text"]
    assert "Section 3" not in english["text"] and "Copyright" not in english["text"]  # boilerplate removed
    assert by_url.loc["https://example.com/german", "language"] == "GERMAN"
    assert by_url.loc["https://example.com/japanese", "language"] == "JAPANESE"
    assert "visiteurs" in by_url.loc["https://example.fr/cp1252", "text"]  # decoded from windows-1252
    assert len(by_url.loc["https://example.com/huge", "text"]) > 250_000
    assert "https://example.com/links_only_en" not in by_url.index  # nothing but boilerplate: no document
    assert frame["warc_id"].str.fullmatch(r"[0-9a-f-]{36}").all()
    assert set(frame["file_name"]) == {p.replace("/", "-") for p in paths}
    assert _metric(batches, "skipped_records") == 0
    fetched = {p: server.requests[f"/{p}"] for p in paths}
    assert fetched == dict.fromkeys(paths, 1)
    again, _ = _run(_stage(tmp_path, server, extract_timeout_s=None), client)
    assert {p: server.requests[f"/{p}"] for p in paths} == fetched  # the WARC files were not fetched again
    pd.testing.assert_frame_equal(again, frame)


@pytest.mark.slow  # a child process per worker, killed and restarted: about 4 s
def test_a_corrupted_record_is_skipped_and_counted_and_a_slow_page_times_out(
    served: Path, server: LoopbackServer, tmp_path: Path, client
):
    pages = [Page(f"https://example.com/{name}", body) for name, body in _plain_pages().items()]
    (path,) = write_crawl(served, pages, files=1)
    offsets = write_warc(served / path, pages)
    corrupt_record(served / path, offsets[1])
    stage = _stage(tmp_path, server, html_extraction=SlowOnMark(), extract_timeout_s=1.0)
    frame, batches = _run(stage, client)
    assert frame["url"].tolist() == ["https://example.com/a", "https://example.com/d"]
    skipped = [s for b in batches for s in b._metadata.get("skipped", [])]
    reasons = sorted(s["reason"].split(":")[0].split(" (")[0] for s in skipped)
    timed_out = "extraction took longer than extract_timeout_s=1.0s and was stopped"
    assert reasons == [timed_out, f"unreadable WARC record at byte {offsets[1]}"]
    assert _metric(batches, "skipped_records") == 2 and _metric(batches, "timed_out_records") == 1


def _plain_pages() -> dict[str, bytes]:
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return {
        "a": f"<html><body>{body}</body></html>".encode(),
        "b": f"<html><body>{body}</body></html>".encode(),  # corrupted in the WARC file
        "c": f"<html><body>{SLOW_MARK}{body}</body></html>".encode(),
        "d": f"<html><body>{body}<p>the end</p></body></html>".encode(),
    }


def test_a_failed_download_is_reported_per_url_when_asked(served: Path, server: LoopbackServer, tmp_path: Path, client):
    paths = write_crawl(served, crawl_pages()[:4], files=2)
    (served / paths[1]).unlink()  # the server will answer 404
    frame, batches = _run(_stage(tmp_path, server, download_on_error="skip"), client)
    assert set(frame["file_name"]) == {paths[0].replace("/", "-")}
    failures = [f for b in batches for f in b._metadata.get("download_failures", [])]
    assert [(f["url"], f["attempts"]) for f in failures] == [(f"{server.url}/{paths[1]}", 1)]


def test_crawl_type_and_algorithm_are_checked(tmp_path: Path):
    with pytest.raises(ConfigError, match="crawl_type must be 'main' or 'news', got 'video'"):
        CommonCrawlDownloadExtractStage("2024-10", "2024-10", str(tmp_path), crawl_type="video")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"Invalid algorithm: 'bs4'; use one of \['justext', 'resiliparse', 'traf"):
        CommonCrawlDownloadExtractStage("2024-10", "2024-10", str(tmp_path), html_extraction="bs4")


def test_the_composite_decomposes_into_nemo_named_stages(tmp_path: Path):
    stage = CommonCrawlDownloadExtractStage("2024-10", "2024-10", str(tmp_path), html_extraction="resiliparse")
    assert stage.name == "common_crawl_main_pipeline"
    assert [s.name for s in stage.decompose()] == [
        "url_generation_maincommoncrawlurlgenerator",
        "download_commoncrawlwarcdownloader",
        "iterate_extract_commoncrawlwarciterator_commoncrawlhtmlextractor",
    ]
    assert stage.outputs() == (["data"], ["url", "warc_id", "source_id", "language", "text", "file_name"])
    assert not (tmp_path / "x").exists()


def test_reading_from_s3_without_s3fs_says_what_to_install(tmp_path: Path):
    if importlib.util.find_spec("s3fs") is not None:
        pytest.skip("s3fs is installed here")
    with pytest.raises(ConfigError, match=r"needs s3fs; install it \(pip install s3fs\) or download over HTTPS"):
        CommonCrawlDownloadExtractStage("2024-10", "2024-10", str(tmp_path), use_aws_to_download=True)


def test_the_default_stop_lists_stay_out_of_the_extractors_pickle():
    import pickle

    from curator_dask.stages.text.download.common_crawl.extract import CommonCrawlHTMLExtractor

    extractor = CommonCrawlHTMLExtractor("resiliparse")
    data = pickle.dumps(extractor)
    assert len(data) < 10_000  # the lists are megabytes; the stage and the time limit's child carry this
    assert pickle.loads(data)._stop_lists == get_stop_list_dict()
    custom = CommonCrawlHTMLExtractor("resiliparse", stop_lists={"ENGLISH": frozenset({"the"})})
    assert pickle.loads(pickle.dumps(custom))._stop_lists == {"ENGLISH": frozenset({"the"})}
