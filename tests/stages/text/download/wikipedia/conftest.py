"""A dump server: the standard library's file server over the test's dump site (directory URLs included)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


class _CountingHandler(SimpleHTTPRequestHandler):
    requests: Counter[str]

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.requests[self.path] += 1
        super().do_GET()


@pytest.fixture
def dump_site(tmp_path: Path) -> Path:
    root = tmp_path / "dumps"
    root.mkdir()
    return root


@pytest.fixture
def dump_server(dump_site: Path) -> Iterator[tuple[str, Counter[str]]]:
    """``(base URL, GET count per path)`` of a loopback server over ``dump_site``.

    Unlike the shared ``server`` fixture it serves ``/enwiki`` as the folder's ``index.html``
    (after a redirect to ``/enwiki/``), as the Wikimedia dump server does.
    """
    counts: Counter[str] = Counter()
    handler = type("Handler", (_CountingHandler,), {"requests": counts})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(dump_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", counts
    httpd.shutdown()
    httpd.server_close()
