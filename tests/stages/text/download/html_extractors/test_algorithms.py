"""The three HTML algorithms on pages built for them: what each keeps, drops and refuses."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.html_extractors import (
    HTMLExtractorAlgorithm,
    JusTextExtractor,
    ResiliparseExtractor,
    TrafilaturaExtractor,
)
from curator_dask.stages.text.download.html_extractors.utils import get_stop_list_dict
from tests.stages.text.download.html_extractors.pages import ARTICLE, PAGES, page


class Trafilatura(TrafilaturaExtractor):
    """Trafilatura without its per-process duplicate cache, so tests that reuse a page stay independent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"deduplicate": False, **kwargs})


ALGORITHMS = [JusTextExtractor, ResiliparseExtractor, Trafilatura]


@pytest.fixture(scope="module")
def stop_lists() -> dict[str, frozenset[str]]:
    return get_stop_list_dict()


def _run(algorithm: HTMLExtractorAlgorithm, name: str, stop_lists: dict[str, frozenset[str]]) -> list[str] | None:
    language, html = PAGES[name]
    return algorithm.extract_text(html, stop_lists[language], language)


@pytest.mark.parametrize("cls", ALGORITHMS)
def test_article_is_kept_and_boilerplate_dropped(cls: type[HTMLExtractorAlgorithm], stop_lists: dict) -> None:
    kept = _run(cls(), "boilerplate_en", stop_lists)
    assert kept is not None
    assert [p for p in kept if p in ARTICLE] == list(ARTICLE)
    joined = "\n".join(kept)
    for boilerplate in ("Section 3", "Copyright", "Advertise", "do not extract me", "margin"):
        assert boilerplate not in joined


@pytest.mark.parametrize("cls", ALGORITHMS)
def test_page_of_links_only_gives_nothing(cls: type[HTMLExtractorAlgorithm], stop_lists: dict) -> None:
    assert not _run(cls(), "links_only_en", stop_lists)


@pytest.mark.parametrize("cls", ALGORITHMS)
@pytest.mark.parametrize("name", ["german", "russian"])
def test_spaced_languages_use_their_own_stop_words(
    cls: type[HTMLExtractorAlgorithm], name: str, stop_lists: dict
) -> None:
    kept = _run(cls(), name, stop_lists)
    assert kept is not None and len([p for p in kept if len(p) > 200]) == 2  # jusText keeps the heading too
    language, html = PAGES[name]
    # With English stop words the same paragraphs have (almost) none, so nothing is kept.
    assert not cls().extract_text(html, stop_lists["ENGLISH"], language)


@pytest.mark.parametrize("name", ["chinese", "japanese", "thai", "korean"])
def test_non_spaced_languages_skip_the_stop_word_rules(name: str, stop_lists: dict) -> None:
    language, html = PAGES[name]
    no_stop_words: frozenset[str] = frozenset()
    for cls in (ResiliparseExtractor, Trafilatura):
        kept = cls().extract_text(html, no_stop_words, language)
        assert kept is not None and len(kept) == 3  # heading and both paragraphs, density not applied
    # jusText keeps every block, boilerplate too, unless told otherwise.
    everything = JusTextExtractor().extract_text(html, no_stop_words, language)
    assert everything is not None and "Section 0" in everything
    assert JusTextExtractor(is_boilerplate=True).extract_text(html, no_stop_words, language) == []


@pytest.mark.parametrize("cls", ALGORITHMS)
def test_broken_markup_is_repaired_not_fatal(cls: type[HTMLExtractorAlgorithm], stop_lists: dict) -> None:
    kept = _run(cls(), "broken_markup_en", stop_lists)
    assert kept is not None
    assert ARTICLE[0] in kept and ARTICLE[1] in "\n".join(kept)


@pytest.mark.parametrize("html", ["", "   ", "\x00\x01", "<html></html>"])
def test_unparseable_or_empty_pages_are_dropped(html: str, stop_lists: dict) -> None:
    for cls in ALGORITHMS:
        assert not cls().extract_text(html, stop_lists["ENGLISH"], "ENGLISH")


def test_justext_is_boilerplate_false_keeps_every_block(stop_lists: dict) -> None:
    kept = _run(JusTextExtractor(is_boilerplate=False), "boilerplate_en", stop_lists)
    assert kept is not None and "Section 0" in kept and any("Copyright" in p for p in kept)


def test_stopword_density_threshold_is_inclusive_and_bounds_work(stop_lists: dict) -> None:
    language, html = PAGES["boilerplate_en"]
    english = stop_lists[language]
    assert ResiliparseExtractor(required_stopword_density=1.0).extract_text(html, english, language) == []
    assert Trafilatura(required_stopword_density=1.0).extract_text(html, english, language) is None
    everything = ResiliparseExtractor(required_stopword_density=0.0).extract_text(html, english, language)
    assert everything is not None and "News" in everything  # the heading has no stop words at all


def test_trafilatura_settings_reach_trafilatura(stop_lists: dict) -> None:
    assert _run(Trafilatura(min_output_size=10_000), "boilerplate_en", stop_lists) is None
    assert _run(Trafilatura(min_output_size=100), "boilerplate_en", stop_lists)


def test_trafilatura_deduplicates_across_pages_of_one_process(stop_lists: dict) -> None:
    # NeMo Curator's default deduplicate=True uses Trafilatura's process-wide cache: once a segment
    # has been seen max_repetitions times, later pages lose it, here the whole page.
    para = "This is a paragraph of the test of the duplicate cache, and it has a lot of the stop words in it {}."
    html = page(f"<main><article><p>{para.format('q1')}</p><p>{para.format('q2')} and so on</p></article></main>")
    runs = [
        TrafilaturaExtractor(min_extracted_size=10).extract_text(html, stop_lists["ENGLISH"], "ENGLISH")
        for _ in range(4)
    ]
    assert runs[0] == runs[1] == runs[2] is not None and len(runs[0]) == 2
    assert runs[3] is None
    fresh = Trafilatura(min_extracted_size=10).extract_text(html, stop_lists["ENGLISH"], "ENGLISH")
    assert fresh == runs[0]


def test_trafilatura_pickles_without_its_built_config(stop_lists: dict) -> None:
    algorithm = TrafilaturaExtractor(min_extracted_size=10)
    first = _run(algorithm, "boilerplate_en", stop_lists)
    assert algorithm._config is not None
    copy = pickle.loads(pickle.dumps(algorithm))
    assert copy._config is None and copy.min_extracted_size == 10
    assert copy.extract_kwargs == {"deduplicate": True}
    assert first


def test_non_spaced_warning_is_logged_once_per_language(caplog: pytest.LogCaptureFixture) -> None:
    language, html = PAGES["korean"]
    type(ResiliparseExtractor())._warned_languages.clear()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            ResiliparseExtractor().extract_text(html, frozenset(), language)
    assert [r.getMessage() for r in caplog.records] == [
        "ResiliparseExtractor: stop-word density is not applied to a non-space-separated language (language KOREAN)"
    ]


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: JusTextExtractor(length_low=-1),
            r"JusTextExtractor: length_low=-1 is not allowed\. Allowed: a non-neg",
        ),
        (
            lambda: JusTextExtractor(stopwords_high=32),
            r"stopwords_high=32 is not a fraction\. Allowed: a number from 0 to 1",
        ),
        (lambda: JusTextExtractor(max_link_density="0.2"), r"max_link_density='0\.2' is not a fraction"),
        (lambda: JusTextExtractor(is_boilerplate="yes"), r"is_boilerplate='yes' is not allowed\. Allowed: True, False"),
        (lambda: ResiliparseExtractor(required_stopword_density=1.5), r"ResiliparseExtractor: required_stopword"),
        (lambda: TrafilaturaExtractor(max_repetitions=2.5), r"max_repetitions=2\.5 is not allowed"),
        (lambda: TrafilaturaExtractor(no_such_option=True), r"trafilatura\.extract takes no keyword no_such_option"),
        (lambda: TrafilaturaExtractor(config=object()), r"config= is built from the extractor's own parameters"),
    ],
)
def test_bad_settings_are_refused_at_construction(build: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        build()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)


def test_trafilatura_extract_kwargs_are_passed_on(stop_lists: dict) -> None:
    algorithm = TrafilaturaExtractor(include_tables=False, deduplicate=False)
    assert algorithm.extract_kwargs == {"deduplicate": False, "include_tables": False}
    assert _run(algorithm, "boilerplate_en", stop_lists)
