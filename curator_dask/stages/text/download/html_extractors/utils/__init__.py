"""Stop words per language for the HTML extractors, keyed as language detection names languages.

``get_stop_list_dict()`` gives jusText's stop lists (all but Latin, which lets through a lot of
low-quality pages) plus stopwords-iso's Thai, Chinese and Japanese lists, which jusText lacks. Keys
are upper-case language names as ``lang_detect`` returns them (``"ENGLISH"``, ``"NORWEGIAN"``), so
``stop_lists[lang_detect(html)]`` finds the page's list.
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
