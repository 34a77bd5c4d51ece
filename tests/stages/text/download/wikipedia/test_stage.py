"""Wikipedia from a dump site on a loopback server: dump choice, errors, and URLs -> articles on Dask."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import BadInputError, ConfigError
from curator_dask.metrics import TaskPerfUtils
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.download.wikipedia import WikipediaDownloadExtractStage, WikipediaUrlGenerator
from tests.stages.text.download.wikipedia.dumps import ARTICLES, Page, write_site

FILES = {
    "pages-articles-multistream1.xml-p1p9.bz2": ARTICLES,
    "pages-articles-multistream2.xml-p10p20.bz2": [Page("Grace Hopper", "'''Grace Hopper''' wrote compilers.")],
}
Server = tuple[str, Counter[str]]


def test_newest_completed_dump_is_chosen(dump_site: Path, dump_server: Server) -> None:
    # Newest first: 20240701 is still running, 20240620 has no status, 20240610 is not JSON.
    dumps = {
        "20240501": "done",
        "20240601": "done",
        "20240610": "garbled",
        "20240620": "missing",
        "20240701": "running",
    }
    write_site(dump_site, "en", dumps, FILES)
    base, _ = dump_server
    urls = WikipediaUrlGenerator(language="en", wikidumps_index_prefix=base).generate_urls()
    assert urls == [
        f"{base}/enwiki/20240601/enwiki-20240601-pages-articles-multistream1.xml-p1p9.bz2",
        f"{base}/enwiki/20240601/enwiki-20240601-pages-articles-multistream2.xml-p10p20.bz2",
    ]  # the multistream index file is not XML, so it is not listed
    dated = WikipediaUrlGenerator(language="en", dump_date="20240501", wikidumps_index_prefix=base).generate_urls()
    assert [u.rsplit("/", 2)[1] for u in dated] == ["20240501", "20240501"]


def test_dump_problems_are_named(dump_site: Path, dump_server: Server) -> None:
    write_site(dump_site, "en", {"20240601": "running", "20240701": "missing"}, FILES)
    base, _ = dump_server
    index = f"{base}/enwiki"
    with pytest.raises(
        BadInputError, match=rf"^{index}: no completed dump is listed\. Fix: check wikidumps_index_prefix"
    ):
        WikipediaUrlGenerator(wikidumps_index_prefix=base).generate_urls()
    with pytest.raises(
        BadInputError, match=rf"^{index}/20240601/dumpstatus\.json: the dump is not finished\. Fix: pick"
    ):
        WikipediaUrlGenerator(dump_date="20240601", wikidumps_index_prefix=base).generate_urls()
    with pytest.raises(
        BadInputError,
        match=r"20240701/dumpstatus\.json: the dump status could not be loaded\. Fix: pick a "
        rf"completed dump listed on {index}/ \(dump_date=None takes the newest\), not 20240701",
    ):
        WikipediaUrlGenerator(dump_date="20240701", wikidumps_index_prefix=base).generate_urls()
    with pytest.raises(BadInputError, match=rf"^{base}/dewiki: the dump index could not be read: HTTP 404"):
        WikipediaUrlGenerator(language="de", wikidumps_index_prefix=base).generate_urls()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"language": "English"}, r"language='English' is not a wiki language code\. Fix: e\.g\. 'en'"),
        ({"dump_date": "2024-05-01"}, r"dump_date='2024-05-01' is not YYYYMMDD\. Fix: e\.g\. '20240501' or None"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        WikipediaUrlGenerator(**kwargs)


def test_stage_names_and_columns_follow_nemo_curator(tmp_path: Path) -> None:
    stage = WikipediaDownloadExtractStage(language="de", download_dir=str(tmp_path), dump_date="20240501")
    assert stage.name == "wikipedia_de_pipeline"
    assert stage.get_description() == "Wikipedia de pipeline for dump 20240501"
    assert [s.name for s in stage.decompose()] == [
        "url_generation_wikipediaurlgenerator",
        "download_wikipediadownloader",
        "iterate_extract_wikipediaiterator_wikipediaextractor",
    ]
    assert stage.outputs() == (["data"], ["text", "title", "id", "url", "language", "source_id", "file_name"])


def test_urls_to_articles_on_dask_and_a_rerun_downloads_nothing(
    dump_site: Path, dump_server: Server, tmp_path: Path, client: object
) -> None:
    write_site(dump_site, "en", {"20240601": "done"}, FILES)
    base, requests = dump_server
    downloads = tmp_path / "downloads"

    def run() -> list:
        stage = WikipediaDownloadExtractStage(language="en", download_dir=str(downloads), wikidumps_index_prefix=base)
        return Pipeline("wikipedia", stages=[stage]).run(DaskExecutor(client=client))

    batches = run()
    frame = pd.concat([b.to_pandas() for b in batches]).sort_values("title").reset_index(drop=True)
    assert list(frame["title"]) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert list(frame["url"]) == [
        f"https://en.wikipedia.org/wiki/{t}" for t in ("Ada%20Lovelace", "Alan%20Turing", "Grace%20Hopper")
    ]
    assert frame.loc[2, "text"] == "Grace Hopper wrote compilers."
    # Local names are the URL path with "/" -> "-", as NeMo Curator names them.
    local_names = {f"enwiki-20240601-enwiki-20240601-{name}" for name in FILES}
    assert set(frame["source_id"]) == set(frame["file_name"]) == local_names
    assert {p.name for p in downloads.iterdir()} == local_names
    metrics = TaskPerfUtils.collect_stage_metrics(batches)
    iterate = next(v for k, v in metrics.items() if k.startswith("iterate_extract"))
    assert iterate["custom.skipped_records"].sum() == 1  # the page without an id

    def dump_gets() -> int:
        return sum(n for path, n in requests.items() if path.endswith(".bz2"))

    assert dump_gets() == 2
    assert len(run()) == len(batches)
    assert dump_gets() == 2  # both files were complete on disk
