"""Our Wikipedia and ArXiv iterators and extractors against NeMo Curator 1.4's, on the same files.

The dump and the bulk tar are the ones the unit tests make. Differences, each deliberate:

* a ``<page>`` without title, ns or id, and an arXiv entry without (UTF-8) LaTeX, are dropped by
  NeMo Curator without a trace; ours yield a ``SkippedRecord`` that the stage counts;
* LaTeX cleaning: NeMo Curator's in-line comment rule also deletes the character before the
  ``%``, and its ``\\paragraph`` / ``\\subparagraph`` alternatives are fused by a missing ``|``;
* Wikipedia's local namespace names: NeMo Curator has a table for ~300 wikis, ours for the
  largest 25 (others can pass ``media_prefixes`` / ``category_prefixes``); the languages
  compared here are in both.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from curator_dask.stages.text.download.arxiv import ArxivExtractor, ArxivIterator
from curator_dask.stages.text.download.base.iterator import SkippedRecord
from curator_dask.stages.text.download.wikipedia import WikipediaExtractor, WikipediaIterator
from tests.interop.nemo_download import nemo_download
from tests.stages.text.download.arxiv.sources import MAIN_TEX, SECTION_TEX, SINGLE_TEX, write_bulk_tar
from tests.stages.text.download.wikipedia.dumps import ARTICLES, write_dump

WIKITEXT = {
    "en": [
        "Lead with [[Image:a.png|thumb|A [[nested]] caption]] and {{Infobox|x=1}} text.__NOTOC__\n"
        "== History ==\nSee [[Paris|the city]].<ref name=a>cite</ref><ref name=a />\n"
        "=== Detail ===\n{| class=wikitable\n|-\n| cell\n|}\nAfter the table. [[Category:Cities|Sort key]]",
        "'''Bold''' and ''italic''. <!-- hidden --> [[media:Sound.ogg]] [[:Category:Visible]] [[de:Paris]]",
    ],
    "de": ["Ein [[Datei:Bild.png|mini|Ein Bild]] Text über [[Berlin]]. [[Kategorie:Stadt]] [[Bild:x.jpg]]"],
    "fr": ["Un [[Fichier:Photo.jpg|vignette|Légende]] texte. [[Catégorie:Ville]]"],
}


@pytest.fixture(scope="module")
def nemo() -> Iterator[types.SimpleNamespace]:
    with nemo_download() as package:

        def load(submodule: str) -> types.ModuleType:
            return importlib.import_module(f"{package.__name__}.{submodule}")

        yield types.SimpleNamespace(
            wikipedia_extract=load("wikipedia.extract"),
            wikipedia_iterator=load("wikipedia.iterator"),
            arxiv_extract=load("arxiv.extract"),
            arxiv_iterator=load("arxiv.iterator"),
        )


@pytest.mark.parametrize(
    ("language", "index"), [(lang, i) for lang, texts in WIKITEXT.items() for i in range(len(texts))]
)
def test_wikitext_cleaning_equals_nemo_curators(nemo: types.SimpleNamespace, language: str, index: int) -> None:
    record = {
        "title": "T",
        "id": "1",
        "url": "u",
        "language": language,
        "source_id": "s",
        "raw_content": WIKITEXT[language][index],
    }
    theirs = nemo.wikipedia_extract.WikipediaExtractor(language=language).extract(dict(record))
    assert WikipediaExtractor(language=language).extract(dict(record)) == theirs


def test_dump_pages_equal_nemo_curators(nemo: types.SimpleNamespace, tmp_path: Path) -> None:
    dump = str(write_dump(tmp_path / "enwiki-test.xml.bz2", ARTICLES))
    theirs = list(nemo.wikipedia_iterator.WikipediaIterator().iterate(dump))
    ours = list(WikipediaIterator().iterate(dump))
    assert [r for r in ours if not isinstance(r, SkippedRecord)] == theirs
    assert [r.reason for r in ours if isinstance(r, SkippedRecord)] == ["<page> without id"]
    nemo_extractor, our_extractor = nemo.wikipedia_extract.WikipediaExtractor(), WikipediaExtractor()
    assert [our_extractor.extract(dict(r)) for r in theirs] == [nemo_extractor.extract(dict(r)) for r in theirs]


def test_bulk_tar_papers_equal_nemo_curators(nemo: types.SimpleNamespace, tmp_path: Path) -> None:
    bulk = str(write_bulk_tar(tmp_path / "arXiv_src_2301_001.tar"))
    theirs = list(nemo.arxiv_iterator.ArxivIterator().iterate(bulk))
    ours = list(ArxivIterator().iterate(bulk))
    normalise = lambda records: [{**r, "content": sorted(r["content"])} for r in records]  # noqa: E731
    assert normalise([r for r in ours if not isinstance(r, SkippedRecord)]) == normalise(theirs)
    assert len([r for r in ours if isinstance(r, SkippedRecord)]) == 2  # the PDF and the Latin-1 paper


def test_latex_cleaning_equals_nemo_curators_but_for_its_two_slips(nemo: types.SimpleNamespace) -> None:
    nemo_extractor = nemo.arxiv_extract.ArxivExtractor()
    project = {"id": "2", "source_id": "t", "content": [MAIN_TEX, SECTION_TEX]}
    assert ArxivExtractor().extract(project) == nemo_extractor.extract(project)
    single = {"id": "1", "source_id": "t", "content": [SINGLE_TEX]}
    ours, theirs = ArxivExtractor().extract(single), nemo_extractor.extract(single)
    assert ours is not None and theirs is not None
    # "About 50% of it, ..." is "About 50" in LaTeX; NeMo Curator's rule eats the "0" as well.
    assert theirs["text"] == ours["text"].replace("About 50\n", "About 5\n")
    paragraph = {"content": ["preamble\n\\paragraph{Lead}\nBody."]}
    assert ArxivExtractor().extract(paragraph) == {"text": "\\paragraph{Lead}\nBody."}
    assert nemo_extractor.extract(paragraph) is None  # no header found: the fused alternative never matches
