"""NeMo Curator 1.4's download package, importable without pycld2 and bs4, for the interop tests and benchmark.

``nemo_curator.stages.text.download`` imports ``pycld2`` (Common Crawl's language detection) and
``bs4`` (Wikipedia) at the top; neither is installed in the interop venv (pycld2 publishes no
wheels). ``nemo_download()`` puts stand-ins in ``sys.modules`` for as long as it is open:
``pycld2.detect`` answers with curator_dask's language detection in CLD2's result shape, so both
sides see the same language for every page and what is compared is everything else (WARC reading,
decoding, extraction, joining, columns); ``bs4`` holds a ``BeautifulSoup`` of ``None`` (Wikipedia is not exercised).
Our own ``lang_detect`` also picks the stand-in up while it is installed, which is the point.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Iterator

from curator_dask.stages.text.download import utils as our_utils
from curator_dask.stages.text.download.html_extractors.utils.language import UNKNOWN, lang_detect

__all__ = ["nemo_download"]

_PARENT = "nemo_curator.stages.text.download"


def _cld2_stand_in() -> types.ModuleType:
    module = types.ModuleType("pycld2")

    def detect(text: str) -> tuple[bool, int, list[tuple[str, str, float, int]]]:
        name = lang_detect(text)
        return name != UNKNOWN, len(text.encode("utf-8", "replace")), [(name, "", 100.0, 0)]

    module.detect = detect  # type: ignore[attr-defined]
    return module


@contextlib.contextmanager
def nemo_download() -> Iterator[types.ModuleType]:
    """``nemo_curator.stages.text.download`` with the stand-ins; ``sys.modules`` restored on exit."""
    saved = {n: m for n, m in sys.modules.items() if n in ("pycld2", "bs4") or n.startswith(_PARENT)}
    bs4 = types.ModuleType("bs4")
    bs4.BeautifulSoup = None  # type: ignore[attr-defined]  # imported by name by Wikipedia's url generation
    stand_ins = {"pycld2": _cld2_stand_in(), "bs4": bs4}
    for name, module in stand_ins.items():
        sys.modules.setdefault(name, module)
    our_utils._cld2.cache_clear()
    try:
        yield importlib.import_module(_PARENT)
    finally:
        for name in [n for n in sys.modules if n in ("pycld2", "bs4") or n.startswith(_PARENT)]:
            del sys.modules[name]
        sys.modules.update(saved)
        our_utils._cld2.cache_clear()
