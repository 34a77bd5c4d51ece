"""Wikipedia pages out of a real multistream ``.xml.bz2`` dump, and their wikitext turned into text."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest

from curator_dask.errors import BadInputError
from curator_dask.stages.text.download.base import DocumentIterateExtractStage
from curator_dask.stages.text.download.base.iterator import SkippedRecord
from curator_dask.stages.text.download.wikipedia import WikipediaExtractor, WikipediaIterator
from curator_dask.tasks import FileGroupTask
from tests.stages.text.download.wikipedia.dumps import ARTICLES, Page, write_dump


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write_dump(tmp_path / "enwiki-20240501-pages-articles-multistream1.xml-p1p9.bz2", ARTICLES)


def test_iterator_yields_main_namespace_articles_and_marks_malformed_pages(dump: Path) -> None:
    records = list(WikipediaIterator(language="en").iterate(str(dump)))
    articles = [r for r in records if isinstance(r, dict)]
    assert [a["title"] for a in articles] == ["Alan Turing", "Ada Lovelace"]  # talk page, redirect, no text: out
    assert articles[0] == {
        "title": "Alan Turing",
        "id": "10",
        "url": "https://en.wikipedia.org/wiki/Alan%20Turing",
        "language": "en",
        "source_id": dump.name,
        "raw_content": ARTICLES[0].text,
    }
    assert "& notes" in articles[1]["raw_content"]  # XML entities decoded
    assert [r for r in records if isinstance(r, SkippedRecord)] == [SkippedRecord("<page> without id", 4)]


def test_extractor_keeps_prose_and_drops_markup(dump: Path) -> None:
    record = next(iter(WikipediaIterator().iterate(str(dump))))
    assert isinstance(record, dict)
    document = WikipediaExtractor().extract(record)
    assert document is not None
    assert set(document) == {"text", "title", "id", "url", "language", "source_id"}
    assert document["text"] == (
        "Alan Turing was a mathematician. \n\nHe worked on  and computable numbers.\n\n"
        "Life \nHe was born in London.\n\nMathematicians"
    )


def test_local_namespace_names_and_extra_prefixes() -> None:
    wikitext = "Ein [[Datei:Bild.png|mini|Bild]] Text. [[Kategorie:Physik]] [[Fichier:x.png]] [[Plaatje:y.png]]"
    record = {"title": "T", "id": "1", "url": "u", "language": "de", "source_id": "s", "raw_content": wikitext}
    german = WikipediaExtractor(language="de").extract(record)
    assert german is not None and german["text"] == "Ein  Text. Physik Fichier:x.png Plaatje:y.png"
    extra = WikipediaExtractor(language="de", media_prefixes=["Fichier", "Plaatje"]).extract(record)
    assert extra is not None and extra["text"] == "Ein  Text. Physik"
    english = WikipediaExtractor(language="en").extract(record)
    assert english is not None and english["text"] == "Ein mini|Bild Text. Kategorie:Physik Fichier:x.png Plaatje:y.png"


def test_extractor_drops_records_without_wikitext() -> None:
    assert WikipediaExtractor().extract({"title": "T", "raw_content": ""}) is None
    assert WikipediaExtractor().extract({"title": "T"}) is None


def test_stage_counts_malformed_pages_and_a_truncated_dump(dump: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "enwiki-cut.xml.bz2"
    truncated.write_bytes(bz2.compress(bz2.decompress(dump.read_bytes())[:-400]))
    stage = DocumentIterateExtractStage(iterator=WikipediaIterator(), extractor=WikipediaExtractor())
    batch = stage.process(FileGroupTask(dataset_name="wiki", data=[str(dump), str(truncated)]))
    frame = batch.to_pandas()
    # The cut file keeps the article read before the break; the break itself is a skipped file.
    assert list(frame["title"]) == ["Alan Turing", "Ada Lovelace", "Alan Turing"]
    assert list(frame["file_name"]) == [dump.name, dump.name, truncated.name]
    skipped = batch._metadata["skipped"]
    assert [(s["file"], s["record"]) for s in skipped] == [(str(dump), 4), (str(truncated), None)]
    assert skipped[-1]["reason"].startswith("reading stopped after record 1: ParseError('unclosed token")
    assert stage._consume_custom_metrics() == {"skipped_records": 1.0, "skipped_files": 1.0}


def test_stage_raises_on_a_malformed_page_when_asked(dump: Path) -> None:
    stage = DocumentIterateExtractStage(iterator=WikipediaIterator(), extractor=WikipediaExtractor(), on_error="raise")
    with pytest.raises(BadInputError, match=r"record 4: <page> without id\. Fix: pass on_error='skip'"):
        stage.process(FileGroupTask(dataset_name="wiki", data=[str(dump)]))


def test_wikitext_mwparserfromhell_cannot_take_is_refused_with_the_article_named() -> None:
    record = {"title": "Bad", "id": "3", "url": "u", "language": "en", "source_id": "dump.bz2"}
    with pytest.raises(
        BadInputError,
        match=r"^dump\.bz2: article 'Bad' \(id 3\): wikitext could not be parsed: "
        r"ValueError\('Needs string.*Fix: report the article upstream",
    ):
        WikipediaExtractor().extract({**record, "raw_content": object()})


def test_many_streams_and_pages(tmp_path: Path) -> None:
    pages = [Page(f"Article {i}", f"Text number {i}.", page_id=str(100 + i)) for i in range(50)]
    path = write_dump(tmp_path / "big.xml.bz2", pages, pages_per_stream=7)
    iterator = WikipediaIterator(log_frequency=10)
    titles = [r["title"] for r in iterator.iterate(str(path)) if isinstance(r, dict)]
    assert titles == [f"Article {i}" for i in range(50)]
    assert iterator._counter == 50
