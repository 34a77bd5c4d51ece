"""Our three HTML algorithms and stop lists against NeMo Curator 1.4's, page by page.

Every page of ``tests/stages/text/download/html_extractors/pages.py`` (boilerplate-heavy,
multilingual, broken markup) goes through NeMo Curator's ``JusTextExtractor``,
``ResiliparseExtractor`` and ``TrafilaturaExtractor`` and through ours with the same parameters;
the paragraphs must be equal. Both sides call the same justext / resiliparse / trafilatura, so a
difference would be ours. What is not compared, and why:

* language detection: NeMo Curator's uses pycld2, which is not installed in the interop venv (it
  publishes no wheels); ours uses Resiliparse. Here each page's language is given.
* Trafilatura's duplicate cache (``deduplicate=True``, NeMo's default) is one per process, shared
  by both sides in this process, so pages are compared with ``deduplicate=False``; with the cache
  the outputs are equal too when both see the same pages in the same order (it is the same cache).

NeMo Curator's ``download`` package imports pycld2 and bs4 at the top (for Common Crawl and
Wikipedia); ``nemo_download.py`` supplies stand-ins for both, which these algorithms never call.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from curator_dask.stages.text.download import html_extractors as ours
from curator_dask.stages.text.download.html_extractors.utils import get_stop_list_dict
from tests.interop.nemo_download import nemo_download
from tests.stages.text.download.html_extractors.pages import PAGES

# (algorithm, keyword arguments) pairs run on both sides: NeMo's defaults, then settings that
# change which blocks survive.
SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("JusTextExtractor", {}),
    ("JusTextExtractor", {"is_boilerplate": False}),
    ("JusTextExtractor", {"length_low": 20, "length_high": 100, "stopwords_low": 0.1, "no_headings": True}),
    ("ResiliparseExtractor", {}),
    ("ResiliparseExtractor", {"main_content": False, "alt_texts": True, "required_stopword_density": 0.1}),
    ("TrafilaturaExtractor", {"deduplicate": False}),
    ("TrafilaturaExtractor", {"deduplicate": False, "min_extracted_size": 10, "required_stopword_density": 0.2}),
]


@pytest.fixture(scope="module")
def nemo_html() -> Iterator[types.ModuleType]:
    """NeMo Curator's html_extractors package (its parent package's pycld2/bs4 imports left out)."""
    with nemo_download() as package:
        importlib.import_module(package.__name__ + ".html_extractors.utils")
        yield importlib.import_module(package.__name__ + ".html_extractors")


def test_stop_lists_equal_nemo_curators(nemo_html: types.ModuleType) -> None:
    theirs = sys.modules[nemo_html.__name__ + ".utils"].get_stop_list_dict()
    mine = get_stop_list_dict()
    assert sorted(mine) == sorted(theirs)
    assert all(mine[key] == theirs[key] for key in theirs)


@pytest.mark.parametrize("setting", range(len(SETTINGS)), ids=lambda i: f"{SETTINGS[i][0]}-{i}")
@pytest.mark.parametrize("name", sorted(PAGES))
def test_paragraphs_equal_nemo_curators(nemo_html: types.ModuleType, name: str, setting: int) -> None:
    algorithm, kwargs = SETTINGS[setting]
    language, html = PAGES[name]
    stop_words = get_stop_list_dict()[language]
    theirs = getattr(nemo_html, algorithm)(**kwargs).extract_text(html, stop_words, language)
    mine = getattr(ours, algorithm)(**kwargs).extract_text(html, stop_words, language)
    assert mine == theirs
