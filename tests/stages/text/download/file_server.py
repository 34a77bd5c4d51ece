"""A loopback file server that also serves folders: the standard library's, with a GET count per path.

Where the shared ``LoopbackServer`` (``http_server.py``) misbehaves on purpose, this one behaves as
a plain web server does: ``/enwiki`` redirects to ``/enwiki/``, which serves the folder's
``index.html`` or, without one, a generated listing whose links name the folder's files (as a
mirror of arXiv's bulk sources would).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["serve_folder"]


class _CountingHandler(SimpleHTTPRequestHandler):
    requests: Counter[str]

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.requests[self.path] += 1
        super().do_GET()


@contextmanager
def serve_folder(root: Path) -> Iterator[tuple[str, Counter[str]]]:
    """``(base URL, GET count per path)`` of a server on 127.0.0.1 over ``root``, until the block ends."""
    counts: Counter[str] = Counter()
    handler = type("Handler", (_CountingHandler,), {"requests": counts})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", counts
    finally:
        httpd.shutdown()
        httpd.server_close()
