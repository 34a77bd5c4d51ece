"""Stop words per language for the HTML extractors, keyed as language detection names languages.

``get_stop_list_dict()`` gives jusText's stop lists (all but Latin, which lets through a lot of
low-quality pages) plus stopwords-iso's Thai, Chinese and Japanese lists, which jusText lacks. Keys
are upper-case language names as ``lang_detect`` returns them (``"ENGLISH"``, ``"NORWEGIAN"``), so
``stop_lists[lang_detect(html)]`` finds the page's list.

The Thai, Chinese and Japanese lists are stopwords-iso's (https://github.com/stopwords-iso), under
this license:

    The MIT License (MIT)

    Copyright (c) 2016 Gene Diaz

    Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
    associated documentation files (the "Software"), to deal in the Software without restriction,
    including without limitation the rights to use, copy, modify, merge, publish, distribute,
    sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all copies or
    substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
    NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
    NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
    DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
    OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

from __future__ import annotations

from curator_dask.errors import ConfigError
from curator_dask.stages.text.download.html_extractors.utils.language import lang_detect

__all__ = ["get_stop_list_dict", "lang_detect"]

# jusText's stop-list names whose language detection name differs from the upper-cased name.
_DETECTION_NAMES = {
    "Haitian": "HAITIAN_CREOLE",
    "Norwegian_Bokmal": "NORWEGIAN",
    "Norwegian_Nynorsk": "NORWEGIAN_N",
    "Waray_Waray": "WARAY_PHILIPPINES",
}
_EXTRA_LANGUAGES = ("THAI", "CHINESE", "JAPANESE")
_EXCLUDED_BY_DEFAULT = "Latin"


def _extra_stop_list(key: str) -> frozenset[str]:
    if key == "THAI":
        from curator_dask.stages.text.download.html_extractors.utils.th_stopwords import th_stopwords

        return th_stopwords
    if key == "CHINESE":
        from curator_dask.stages.text.download.html_extractors.utils.zh_stopwords import zh_stopwords

        return zh_stopwords
    from curator_dask.stages.text.download.html_extractors.utils.ja_stopwords import ja_stopwords

    return ja_stopwords


def get_stop_list_dict(languages: list[str] | None = None) -> dict[str, frozenset[str]]:
    """Stop words per language, keyed by the upper-case name language detection returns.

    Args:
        languages: jusText stop-list names (``"English"``, ``"Norwegian_Bokmal"``) and/or ``"THAI"``,
            ``"CHINESE"``, ``"JAPANESE"``; ``None`` or ``[]`` means all of them except Latin.

    Raises:
        ConfigError: a language that has no stop list; the message lists the ones that do.
    """
    import justext

    available = sorted(justext.get_stoplists())
    if not languages:
        languages = [name for name in available if name != _EXCLUDED_BY_DEFAULT] + list(_EXTRA_LANGUAGES)
    stop_lists: dict[str, frozenset[str]] = {}
    for language in languages:
        key = _DETECTION_NAMES.get(language, language.upper())
        if key in _EXTRA_LANGUAGES:
            stop_lists[key] = _extra_stop_list(key)
        elif language in available:
            stop_lists[key] = justext.get_stoplist(language)
        else:
            msg = (
                f"get_stop_list_dict: no stop list for language {language!r}. Allowed: "
                f"{', '.join(available + list(_EXTRA_LANGUAGES))}. Fix: use one of these names, or pass "
                f"stop_lists={{'{key}': frozenset(...)}} to the extractor."
            )
            raise ConfigError(msg)
    return stop_lists
