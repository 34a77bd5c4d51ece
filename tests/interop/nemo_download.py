"""NeMo Curator's download modules, importable where its ``download`` package itself is not.

``nemo_curator.stages.text.download`` imports Common Crawl's and Wikipedia's URL generators at the
top, which need ``pycld2`` and ``bs4``; the interop venv has neither (pycld2 ships no wheels). The
extractors compared here need neither, so they are imported under a bare parent package that
carries only the base contract. Import this module only where ``nemo_curator`` is installed.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import nemo_curator.stages.text as nemo_text

__all__ = ["nemo_download_modules"]

_PARENT = "nemo_curator.stages.text.download"


def _ours(name: str) -> bool:
    return name == _PARENT or name.startswith(_PARENT + ".")


_MISSING = ("pycld2", "bs4", "requests")


def _bare_package(name: str) -> None:
    """Register ``name`` as a package without running its ``__init__``."""
    parent, _, child = name.rpartition(".")
    package = types.ModuleType(name)
    package.__path__ = [str(Path(sys.modules[parent].__path__[0]) / child)]
    sys.modules[name] = package


def _load(submodule: str) -> types.ModuleType:
    """NeMo Curator's ``download.<submodule>``; a subpackage whose ``__init__`` needs a missing library
    (``wikipedia`` imports its bs4-based URL generator) is registered bare first."""
    name = f"{_PARENT}.{submodule}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name not in _MISSING or "." not in submodule:
            raise
    package = f"{_PARENT}.{submodule.partition('.')[0]}"
    for loaded in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[loaded]
    _bare_package(package)
    return importlib.import_module(name)


@contextmanager
def nemo_download_modules() -> Iterator[Callable[[str], types.ModuleType]]:
    """Yields ``load("wikipedia.extract")`` -> NeMo Curator's module; restores ``sys.modules`` after."""
    saved = {name: module for name, module in sys.modules.items() if _ours(name)}
    try:
        importlib.import_module(_PARENT)
    except ModuleNotFoundError as error:
        if error.name not in _MISSING:
            raise
        for name in [n for n in sys.modules if _ours(n)]:
            del sys.modules[name]
        parent = types.ModuleType(_PARENT)
        parent.__path__ = [str(Path(nemo_text.__file__).parent / "download")]
        sys.modules[_PARENT] = parent
        base = importlib.import_module(_PARENT + ".base")
        for name in ("DocumentDownloader", "DocumentDownloadExtractStage", "DocumentExtractor", "DocumentIterator"):
            setattr(parent, name, getattr(base, name))
    try:
        yield _load
    finally:
        for name in [n for n in sys.modules if _ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
