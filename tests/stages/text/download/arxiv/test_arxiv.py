"""ArXiv from bulk source tars made in the test: iterate, clean, list and download over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import BadInputError, ConfigError
from curator_dask.metrics import TaskPerfUtils
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.download.arxiv import (
    ArxivDownloader,
    ArxivDownloadExtractStage,
    ArxivExtractor,
    ArxivIterator,
    ArxivUrlGenerator,
)
from curator_dask.stages.text.download.base.iterator import SkippedRecord
from tests.stages.text.download.arxiv.sources import MAIN_TEX, SECTION_TEX, SINGLE_TEX, write_bulk_tar
from tests.stages.text.download.file_server import serve_folder


@pytest.fixture
def bulk(tmp_path: Path) -> Path:
    return write_bulk_tar(tmp_path / "arXiv_src_2301_001.tar")


def test_iterator_reads_each_paper_and_marks_entries_without_latex(bulk: Path) -> None:
    records = list(ArxivIterator().iterate(str(bulk)))
    papers = [r for r in records if isinstance(r, dict)]
    assert [p["id"] for p in papers] == ["2301.00001", "2301.00002", "2301.00005", "hep-th/9901001"]
    assert {p["source_id"] for p in papers} == {bulk.name}
    assert papers[0]["content"] == [SINGLE_TEX]
    assert sorted(papers[1]["content"]) == sorted([MAIN_TEX, SECTION_TEX])  # the figure is not LaTeX
    assert papers[2]["content"] == []
    skipped = [r for r in records if isinstance(r, SkippedRecord)]
    assert [(s.record, s.reason.split(":")[0]) for s in skipped] == [
        (2, "paper 2301/2301.00003.pdf"),
        (3, "paper 2301/2301.00004.gz"),
    ]
    assert "neither a tar nor a gzip file" in skipped[0].reason
    assert "LaTeX source is not UTF-8 (invalid continuation byte at byte 12)" in skipped[1].reason


def test_extractor_cleans_latex_as_nemo_curator_does() -> None:
    single = ArxivExtractor().extract({"id": "1", "source_id": "t", "content": [SINGLE_TEX]})
    assert single == {
        "text": "\\section{Introduction}\nLet $x \\in \\mathbb{R}$ and $\\varepsilon > 0$. About 50\n"
        "\\Rightarrow stays.\n\\subsection{More}\nText of the subsection.\n"
    }


def test_macros_of_one_file_expand_in_all_and_the_appendix_goes() -> None:
    document = ArxivExtractor(keep_metadata=True).extract(
        {"id": "2301.00002", "source_id": "bulk.tar", "content": [MAIN_TEX, SECTION_TEX]}
    )
    assert document == {
        "text": "\\section{Method}\nWe present OurMethod.\n\\input{sections/results}\n"
        "\n\\section{Results}\nOurMethod{} beats the baseline.\n",
        "id": "2301.00002",
        "source_id": "bulk.tar",
    }
    assert ArxivExtractor(keep_metadata=True).output_columns() == ["text", "id", "source_id"]
    assert ArxivExtractor().output_columns() == ["text"]


@pytest.mark.parametrize("content", [[], ["no sectioning command at all"], None])
def test_papers_without_text_are_dropped(content: list[str] | None) -> None:
    assert ArxivExtractor().extract({"id": "1", "source_id": "t", "content": content}) is None


def test_paragraph_and_subparagraph_each_start_the_text() -> None:
    # NeMo Curator's pattern fuses these two alternatives (a missing "|"); here each one counts.
    for command in ("paragraph", "subparagraph"):
        source = f"preamble\n\\{command}{{Lead}}\nBody."
        assert ArxivExtractor().extract({"content": [source]}) == {"text": f"\\{command}{{Lead}}\nBody."}


@pytest.fixture
def mirror(tmp_path: Path, bulk: Path) -> Iterator[tuple[str, dict]]:
    """A web folder with two bulk tars and a file that is not one, served on 127.0.0.1."""
    root = tmp_path / "mirror" / "src"
    root.mkdir(parents=True)
    (root / bulk.name).write_bytes(bulk.read_bytes())
    write_bulk_tar(root / "arXiv_src_2302_001.tar")
    (root / "arXiv_src_manifest.xml").write_text("<manifest/>")
    with serve_folder(tmp_path / "mirror") as (base, requests):
        yield f"{base}/src/", requests


def test_url_generator_lists_tars_of_an_http_folder_and_of_an_fsspec_one(mirror: tuple, tmp_path: Path) -> None:
    url, _ = mirror
    assert ArxivUrlGenerator(source_url=url).generate_urls() == [
        f"{url}arXiv_src_2301_001.tar",
        f"{url}arXiv_src_2302_001.tar",
    ]
    local = ArxivUrlGenerator(source_url=f"file://{tmp_path}/mirror/src").generate_urls()
    assert local == [
        f"file://{tmp_path}/mirror/src/arXiv_src_2301_001.tar",
        f"file://{tmp_path}/mirror/src/arXiv_src_2302_001.tar",
    ]


def test_source_problems_are_named(mirror: tuple, tmp_path: Path) -> None:
    url, _ = mirror
    missing = url.replace("/src/", "/nothing/")
    with pytest.raises(BadInputError, match=rf"^{missing}: the index page could not be read: HTTP 404"):
        ArxivUrlGenerator(source_url=missing).generate_urls()
    with pytest.raises(ConfigError, match=r"source_url='' is not a URL\. Fix: e\.g\. 's3://arxiv/src/'"):
        ArxivUrlGenerator(source_url="")


def test_reading_s3_without_s3fs_names_the_fix() -> None:
    pytest.importorskip("fsspec")
    try:
        import s3fs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here")
    stage = ArxivDownloadExtractStage()  # building and describing it needs no s3fs
    assert stage.get_description() == "Arxiv pipeline"
    with pytest.raises(
        ConfigError,
        match=r"^ArxivUrlGenerator: reading s3://arxiv/src/ needs s3fs, which is not installed\. "
        r"Fix: pip install s3fs.*requester_pays",
    ):
        ArxivUrlGenerator().generate_urls()


def test_downloader_names_files_after_the_tar_and_takes_bare_names(tmp_path: Path) -> None:
    downloader = ArxivDownloader(str(tmp_path), source_url="http://mirror/src/")
    assert downloader._get_output_filename("s3://arxiv/src/arXiv_src_2301_001.tar") == "arXiv_src_2301_001.tar"
    assert downloader._source("arXiv_src_2301_001.tar") == "http://mirror/src/arXiv_src_2301_001.tar"


def test_tars_to_papers_on_dask_and_a_rerun_downloads_nothing(mirror: tuple, tmp_path: Path, client: object) -> None:
    url, requests = mirror
    downloads = tmp_path / "downloads"

    def run() -> list:
        stage = ArxivDownloadExtractStage(download_dir=str(downloads), source_url=url, keep_metadata=True)
        return Pipeline("arxiv", stages=[stage]).run(DaskExecutor(client=client))

    batches = run()
    frame = pd.concat([b.to_pandas() for b in batches]).sort_values(["file_name", "id"]).reset_index(drop=True)
    assert list(frame.columns) == ["text", "id", "source_id", "file_name"]
    assert list(frame["id"]) == ["2301.00001", "2301.00002", "hep-th/9901001"] * 2  # 2301.00005 has no .tex
    assert list(frame["file_name"]) == ["arXiv_src_2301_001.tar"] * 3 + ["arXiv_src_2302_001.tar"] * 3
    assert frame.loc[2, "text"] == "\\section{Old}\nAn old-style identifier."
    metrics = TaskPerfUtils.collect_stage_metrics(batches)
    iterate = next(v for k, v in metrics.items() if k.startswith("iterate_extract"))
    assert iterate["custom.skipped_records"].sum() == 4  # the PDF and the Latin-1 paper of each tar

    def tar_gets() -> int:
        return sum(n for path, n in requests.items() if path.endswith(".tar"))

    assert tar_gets() == 2
    run()
    assert tar_gets() == 2
