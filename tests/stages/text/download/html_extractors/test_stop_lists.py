"""Stop lists per language and language detection: keys line up, lists are the sourced ones."""

from __future__ import annotations

import subprocess
import sys

import justext
import pytest
from resiliparse.parse.lang import supported_langs

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.html_extractors.utils import get_stop_list_dict, lang_detect
from curator_dask.stages.text.download.html_extractors.utils.language import ISO_TO_LANGUAGE, UNKNOWN
from tests.stages.text.download.html_extractors.pages import PAGES, page


def test_default_lists_are_justexts_but_latin_plus_thai_chinese_japanese() -> None:
    lists = get_stop_list_dict()
    assert len(lists) == len(justext.get_stoplists()) - 1 + 3
    assert "LATIN" not in lists
    assert lists["ENGLISH"] == justext.get_stoplist("English")
    # jusText's names that language detection spells differently.
    assert lists["NORWEGIAN"] == justext.get_stoplist("Norwegian_Bokmal")
    assert {"HAITIAN_CREOLE", "NORWEGIAN_N", "WARAY_PHILIPPINES", "KOREAN"} <= set(lists)


@pytest.mark.parametrize(
    ("key", "size", "word"), [("THAI", 115, "ของ"), ("CHINESE", 794, "一个"), ("JAPANESE", 134, "あの")]
)
def test_stopwords_iso_lists_are_complete(key: str, size: int, word: str) -> None:
    words = get_stop_list_dict([key.title()])[key]
    assert len(words) == size and word in words
    assert all(w and not any(c.isspace() for c in w) for w in words)


def test_named_languages_only_and_latin_on_request() -> None:
    assert sorted(get_stop_list_dict(["Latin", "German", "THAI"])) == ["GERMAN", "LATIN", "THAI"]


def test_unknown_language_is_refused_with_the_allowed_names() -> None:
    with pytest.raises(
        ConfigError,
        match=r"no stop list for language 'Klingon'\. Allowed: Afrikaans, .*English.* "
        r"THAI, CHINESE, JAPANESE\. Fix: use one of these names, or pass stop_lists=\{'KLINGON'",
    ):
        get_stop_list_dict(["Klingon"])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_lang_detect_names_each_page(name: str) -> None:
    expected, html = PAGES[name]
    assert lang_detect(html) == (UNKNOWN if name == "no_body" else expected)


def test_lang_detect_ignores_scripts_styles_and_menus() -> None:
    german = "Der Fluss ist seit jeher das Herz der Stadt, und er ist immer noch das Erste, was Besucher sehen wollen."
    html = page(
        f"<script>{'var english = the and of to; ' * 50}</script><nav>Home News Sport About Contact</nav>"
        f"<main><p>{german}</p></main>"
    )
    assert lang_detect(html) == "GERMAN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新闻", "CHINESE"),
        ("ニュース", "JAPANESE"),
        ("ข่าว", "THAI"),
        ("뉴스", "KOREAN"),
        ("", UNKNOWN),
        ("12345 !!! ...", UNKNOWN),
    ],
)
def test_lang_detect_short_texts(text: str, expected: str) -> None:
    assert lang_detect(text) == expected


def test_every_detectable_language_has_a_name_and_the_stop_lists_use_them() -> None:
    assert set(ISO_TO_LANGUAGE) == set(supported_langs())
    names = set(ISO_TO_LANGUAGE.values())
    assert len(names) == len(ISO_TO_LANGUAGE)
    # 74 of the detected languages find a stop list (jusText has none for e.g. Khmer or Tibetan).
    assert len(names & set(get_stop_list_dict())) == 74


def test_importing_the_package_loads_no_parser() -> None:
    probe = (
        "import sys, curator_dask.stages.text.download.html_extractors as h, "
        "curator_dask.stages.text.download.html_extractors.utils\n"
        "print(sorted(m for m in ('justext', 'lxml', 'resiliparse', 'trafilatura') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
