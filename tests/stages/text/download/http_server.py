"""A loopback HTTP server (127.0.0.1) for the downloader tests, with misbehaving paths.

* ``/<path>``: the file ``<root>/<path>``, or 404 when there is none;
* ``/drop/<path>``: announces the whole file, sends half, then closes the connection;
* ``/flaky/<n>/<path>``: 503 for the first ``n`` requests, then the file.

``requests`` counts the GET requests per path, so a test can prove a rerun fetched nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["LoopbackServer"]


class LoopbackServer:
    """Serves ``root`` on 127.0.0.1 from a background thread until ``close``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _count(self, path: str) -> int:
        with self._lock:
            self.requests[path] += 1
            return self.requests[path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                seen = server._count(self.path)
                parts = self.path.lstrip("/").split("/")
                if parts[0] == "flaky" and seen <= int(parts[1]):
                    self.send_error(503, "try again")
                    return
                rel = parts[2:] if parts[0] == "flaky" else parts[1:] if parts[0] == "drop" else parts
                file = server.root.joinpath(*rel)
                if not file.is_file():
                    self.send_error(404, "no such file")
                    return
                body = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if parts[0] == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler
