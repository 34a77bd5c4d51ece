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
import os
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path

from curator_dask.stages.text.download import utils as our_utils

__all__ = ["nemo_download"]

_PARENT = "nemo_curator.stages.text.download"


_PYCLD2 = """
from curator_dask.stages.text.download.html_extractors.utils.language import UNKNOWN, lang_detect


def detect(text):
    name = lang_detect(text)
    return name != UNKNOWN, len(text.encode("utf-8", "replace")), [(name, "", 100.0, 0)]
"""
_BS4 = "BeautifulSoup = None  # imported by name by NeMo's Wikipedia url generation; never called here\n"


@contextlib.contextmanager
def nemo_download() -> Iterator[types.ModuleType]:
    """``nemo_curator.stages.text.download`` with the stand-ins; ``sys.modules`` and the path restored on exit.

    The stand-ins are files in a temporary folder put first on ``sys.path`` and ``PYTHONPATH``, so
    that worker processes started meanwhile (Ray's, Dask's) import them too.
    """
    saved = {n: m for n, m in sys.modules.items() if n in ("pycld2", "bs4") or n.startswith(_PARENT)}
    saved_path, saved_env = list(sys.path), os.environ.get("PYTHONPATH")
    with tempfile.TemporaryDirectory(prefix="nemo-stand-ins-") as folder:
        Path(folder, "pycld2.py").write_text(_PYCLD2)
        Path(folder, "bs4.py").write_text(_BS4)
        sys.path.insert(0, folder)
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (folder, saved_env) if p)
        for name in ("pycld2", "bs4"):
            sys.modules.pop(name, None)
        our_utils._cld2.cache_clear()
        try:
            yield importlib.import_module(_PARENT)
        finally:
            for name in [n for n in sys.modules if n in ("pycld2", "bs4") or n.startswith(_PARENT)]:
                del sys.modules[name]
            sys.modules.update(saved)
            sys.path[:] = saved_path
            if saved_env is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved_env
            our_utils._cld2.cache_clear()
