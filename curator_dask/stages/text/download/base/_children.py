"""The time limit's child processes: starting one, a per-process pool of idle ones, and the wire format.

Each message is a pickle behind an 8-byte length. The child reads its extractor, answers
``("ready", None)``, then answers each record with ``("ok", document)`` or ``("error", exception)``,
in the order the records came, until its input closes. See ``_time_limit`` for why a child
outlives the stage copy that started it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from typing import Any

__all__ = ["HEADER", "Child", "frame", "give_back", "take"]

logger = logging.getLogger(__name__)

HEADER = struct.Struct("!Q")
_STARTUP_TIMEOUT_S = 120.0
_MAX_IDLE = 4  # idle children kept per process: one per extractor a long-lived worker meets


class Child:
    """One extraction child process, sent its extractor in the background and ready after it answers."""

    def __init__(self, payload: bytes, key: str, label: str) -> None:
        self.key = key
        self.label = label
        self.ready = False
        # The child must import what the worker imports (the extractor's module may be a test's).
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.fd_in, self.fd_out = self.process.stdin.fileno(), self.process.stdout.fileno()
        # The payload outgrows the pipe's buffer: written from a thread, the caller need not wait
        # for the child's interpreter to start reading it.
        self._sender = threading.Thread(target=self._send_payload, args=(payload,), daemon=True)
        self._sender.start()

    def _send_payload(self, payload: bytes) -> None:
        with contextlib.suppress(OSError):  # the child died first: wait_ready says so
            _send(self.fd_in, payload, raw=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        """Block until the child has read its extractor; ``RuntimeError`` if it does not start."""
        if self.ready:
            return
        ready, _, _ = select.select([self.fd_out], [], [], _STARTUP_TIMEOUT_S)
        try:
            answer = _receive(self.fd_out) if ready else None
        except EOFError:
            answer = None
        if answer != ("ready", None):
            self.kill()
            msg = f"the extraction process did not start within {_STARTUP_TIMEOUT_S}s; see the worker's log"
            raise RuntimeError(msg)
        self._sender.join()
        os.set_blocking(self.fd_in, False)  # from now on the parent writes only what the pipe takes
        self.ready = True
        logger.info("extraction child process %d started for %s", self.process.pid, self.label)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self._sender.join()  # it fails at once on the dead child; only then may its pipe's fd be closed
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


_pool_lock = threading.Lock()
_idle: list[Child] = []  # oldest first


def take(payload: bytes, label: str) -> Child:
    """An idle child holding this extractor, else a new one (starting in the background)."""
    key = hashlib.sha256(payload).hexdigest()
    with _pool_lock:
        for child in [c for c in _idle if c.key == key]:
            _idle.remove(child)
            if child.alive():
                return child
            child.kill()
    return Child(payload, key, label)


def give_back(child: Child) -> None:
    if not child.alive():
        child.kill()
        return
    with _pool_lock:
        _idle.append(child)
        surplus = _idle[: max(0, len(_idle) - _MAX_IDLE)]
        del _idle[: len(surplus)]
    for old in surplus:
        old.kill()


@atexit.register
def _close_idle() -> None:
    with _pool_lock:
        children = list(_idle)
        _idle.clear()
    for child in children:
        child.kill()


def frame(obj: Any) -> bytes:
    """``obj`` as one message."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def _send(fd: int, obj: Any, *, raw: bool = False) -> None:
    data = obj if raw else pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int) -> Any:
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


def _serve() -> None:
    """The child's loop: read the extractor, then answer one record at a time until the pipe closes."""
    fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    sys.stdout = sys.stderr  # an extractor that prints must not corrupt the answers
    extractor = _receive(fd_in)
    _send(fd_out, ("ready", None))
    while True:
        try:
            record = _receive(fd_in)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", extractor.extract(record))
        except Exception as error:
            answer = ("error", error)
        try:
            _send(fd_out, answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            _send(fd_out, ("error", RuntimeError(repr(answer[1]))))
