"""A dump site in the test's folder, served on 127.0.0.1 as the Wikimedia dump server serves it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stages.text.download.file_server import serve_folder


@pytest.fixture
def dump_site(tmp_path: Path) -> Path:
    root = tmp_path / "dumps"
    root.mkdir()
    return root


@pytest.fixture
def dump_server(dump_site: Path) -> Iterator[tuple[str, Counter[str]]]:
    """``(base URL, GET count per path)``; ``/enwiki`` serves ``enwiki/index.html``."""
    with serve_folder(dump_site) as served:
        yield served
