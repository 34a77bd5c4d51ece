"""``HistogramFilter``: NLLB's character-histogram check, a cheap language-id (NeMo Curator's filter).

The histograms are fairseq's (``histograms.tar.gz``, one file per language listing the characters
of trusted text, most frequent first, up to a line starting with ``threshold_char``). They are
read from ``<cache_dir>/histograms/checkpoint/edunov/cc60_multilingual/clean_hists/<lang>``;
when that folder is missing, the stage's ``setup_on_node`` downloads and unpacks them there once
per node (NeMo Curator downloads when the filter is made).
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import urllib.request
from typing import Any

from curator_dask.errors import ConfigError
from curator_dask.stages.text.filters.doc_filter import PerDocumentFilter

__all__ = ["HistogramFilter"]

_HIST_SUBDIR = ("histograms", "checkpoint", "edunov", "cc60_multilingual", "clean_hists")


def _default_cache_dir() -> str:
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        return os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return user_cache_dir()


class HistogramFilter(PerDocumentFilter):
    """Keeps documents whose characters are mostly in the histogram of the expected language.

    Args:
        lang: the expected language (the histogram file's name, e.g. ``"en"``, ``"zh"``).
        threshold: the share of characters (of the stripped text, over the whole text's length)
            that must be in the histogram; a document must exceed it to be kept.
        cache_dir: where the histograms are (or are downloaded to); empty means the user cache
            folder (``platformdirs.user_cache_dir()``, ``~/.cache`` on Linux).
        threshold_char: the line that ends a histogram file's character list.
    """

    histograms_url = "https://dl.fbaipublicfiles.com/m2m_100/histograms.tar.gz"

    def __init__(
        self,
        lang: str | None = "en",
        threshold: float | None = 0.8,
        cache_dir: str | None = "",
        threshold_char: str | None = "]",
    ) -> None:
        super().__init__()
        if not lang or not isinstance(lang, str):
            msg = f"HistogramFilter(lang={lang!r}): pass a language code such as 'en', the name of a histogram file"
            raise ConfigError(msg)
        self._lang = lang
        self._threshold = 0.8 if threshold is None else threshold
        self._cache_dir = cache_dir if cache_dir else _default_cache_dir()
        self._threshold_char = threshold_char or "]"
        self._histogram: frozenset[str] | None = None
        self._name = "histogram"

    @property
    def _hist_dir(self) -> str:
        return os.path.join(self._cache_dir, *_HIST_SUBDIR)

    def model_check_or_download(self) -> None:
        """Downloads and unpacks the histograms unless ``cache_dir`` has them (once per node)."""
        if os.path.isdir(os.path.join(self._cache_dir, "histograms")):
            return
        os.makedirs(self._cache_dir, exist_ok=True)
        # Unpacked beside the target and renamed into place, so no reader sees half a folder.
        with tempfile.TemporaryDirectory(dir=self._cache_dir, prefix=".histograms-") as tmp:
            archive = os.path.join(tmp, "histograms.tar.gz")
            try:
                with urllib.request.urlopen(self.histograms_url, timeout=60) as response, open(archive, "wb") as out:
                    shutil.copyfileobj(response, out)
            except OSError as e:
                msg = (
                    f"HistogramFilter: could not download {self.histograms_url} ({e}). Download and unpack it "
                    f"into {os.path.join(self._cache_dir, 'histograms')!r} yourself, or pass cache_dir= a folder "
                    "that has histograms/ in it."
                )
                raise ConfigError(msg) from e
            unpacked = os.path.join(tmp, "histograms")
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(unpacked, filter="data")
            try:
                os.rename(unpacked, os.path.join(self._cache_dir, "histograms"))
            except OSError:
                if not os.path.isdir(os.path.join(self._cache_dir, "histograms")):
                    raise  # not another process winning the race: a real failure

    def load_model(self) -> None:
        """Reads this language's histogram (the stage's ``setup`` calls this on every worker)."""
        if self._histogram is not None:
            return
        self.model_check_or_download()
        path = os.path.join(self._hist_dir, self._lang)
        if not os.path.isfile(path):
            known = sorted(os.listdir(self._hist_dir)) if os.path.isdir(self._hist_dir) else []
            msg = f"HistogramFilter(lang={self._lang!r}): there is no histogram {path!r}; languages there: {known}"
            raise ConfigError(msg)
        chars: set[str] = set()
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line[:1] == self._threshold_char:
                    break
                chars.add(line[:1])
        self._histogram = frozenset(chars)

    def score_document(self, text: str) -> int:
        self.load_model()
        histogram = self._histogram
        assert histogram is not None
        if not text:
            return 0
        count = sum(1 for c in text.strip() if c in histogram)
        return 1 if count / len(text) > self._threshold else 0

    def keep_document(self, score: float) -> bool:
        return score == 1

    def __getstate__(self) -> dict[str, Any]:
        # Workers read the histogram from their node's cache, as the stage's setup arranges.
        return {**self.__dict__, "_histogram": None}
