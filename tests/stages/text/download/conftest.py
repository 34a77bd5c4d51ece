"""Fixtures of the download tests: a loopback HTTP server over a folder of the test's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stages.text.download.http_server import LoopbackServer


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """The folder the ``server`` fixture serves."""
    folder = tmp_path / "served"
    folder.mkdir()
    return folder


@pytest.fixture
def server(served: Path) -> Iterator[LoopbackServer]:
    """A loopback HTTP server on 127.0.0.1 serving ``served``."""
    loopback = LoopbackServer(served)
    yield loopback
    loopback.close()
