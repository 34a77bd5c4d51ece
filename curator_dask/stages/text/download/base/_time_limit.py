"""A time limit on one record's extraction that holds even inside C code.

A Dask worker runs tasks in threads of its process, and a Python thread cannot be stopped from
outside; ``SIGALRM`` reaches only the main thread and interrupts only Python bytecode, not a
long ``lxml`` parse or a backtracking regular expression. So, by default (``mode="process"``),
the extractor runs in a child process started with ``subprocess`` (a Dask worker is a daemon
process, which ``multiprocessing`` may not fork children from): each record is sent over a pipe,
and when no answer comes within the limit the child is killed and a fresh one is started for
the next record. ``mode="signal"`` (main thread only) uses ``setitimer`` instead: cheaper, but it
cannot stop C code. ``benchmarks/extract.py`` measures what each costs.

Starting a child costs far more than a record: a fresh interpreter imports the package and the
extraction libraries, reads the extractor (its stop lists are megabytes) and warms their caches,
about 1.5 s on an idle core. So a child outlives the stage copy that started it: ``close`` puts
it in this process's pool of idle children, keyed by the pickled extractor, and the next stage
copy with an identical extractor (the next run's, the next pipeline's) takes it back. A worker
process therefore starts one child per extractor, not one per run. A child is killed on a
timeout, when it dies, when more than ``_MAX_IDLE`` are idle (oldest first) and at exit; it also
ends by itself when its parent does (its input pipe closes). The extractor copy in a child is
reused across tasks and runs, so an extractor must not count on state reset per run. A child is
started in the background (``start``) and waited for only at its first record, so a stage's
``setup`` does not wait for it, and neither start-up is counted against the record's limit.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
from types import FrameType
from typing import Any, Literal

from curator_dask.stages.text.download.base.extract import DocumentExtractor

__all__ = ["TimeLimitedExtractor"]

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!Q")
_STARTUP_TIMEOUT_S = 120.0
_MAX_IDLE = 4  # idle children kept per process: one per extractor a long-lived worker meets


class _Child:
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
_idle: list[_Child] = []  # oldest first


def _take(payload: bytes, label: str) -> _Child:
    """An idle child holding this extractor, else a new one (starting in the background)."""
    key = hashlib.sha256(payload).hexdigest()
    with _pool_lock:
        for child in [c for c in _idle if c.key == key]:
            _idle.remove(child)
            if child.alive():
                return child
            child.kill()
    return _Child(payload, key, label)


def _give_back(child: _Child) -> None:
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


class TimeLimitedExtractor:
    """Runs ``extractor.extract`` with a limit of ``seconds`` per record; ``TimeoutError`` past it.

    Args:
        extractor: the extractor to run (pickled into the child process in ``"process"`` mode).
        seconds: the limit per record.
        mode: ``"process"`` (any thread, stops C code too) or ``"signal"`` (main thread only).
    """

    def __init__(self, extractor: DocumentExtractor, seconds: float, mode: Literal["process", "signal"] = "process"):
        self.extractor = extractor
        self.seconds = seconds
        self.mode = mode
        self._child: _Child | None = None
        self._payload = pickle.dumps(extractor, protocol=pickle.HIGHEST_PROTOCOL) if mode == "process" else b""

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if self.mode == "signal" and threading.current_thread() is threading.main_thread():
            return self._extract_with_alarm(record)
        return self._extract_in_child(record)

    def start(self) -> None:
        """Take or start a child now (``setup`` does), so that it starts while other work goes on."""
        if self.mode == "process" and self._child is None:
            self._child = _take(self._payload, type(self.extractor).__name__)

    def close(self) -> None:
        """Hand the child, if any, back to this process's pool of idle children."""
        child, self._child = self._child, None
        if child is not None:
            _give_back(child)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at exit the pool may be gone; the child ends with its pipe
            self.close()

    def _extract_with_alarm(self, record: dict[str, Any]) -> dict[str, Any] | None:
        def _alarm(signum: int, frame: FrameType | None) -> None:
            raise TimeoutError

        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return self.extractor.extract(record)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _extract_in_child(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if self._child is not None and not self._child.alive():
            self._replace(self._child)
        self.start()
        child = self._child
        assert child is not None
        try:
            child.wait_ready()  # start-up is not the record's time
        except RuntimeError:
            self._child = None
            raise
        try:
            _send(child.fd_in, record)
            ready, _, _ = select.select([child.fd_out], [], [], self.seconds)
            if not ready:
                self._replace(child)
                raise TimeoutError
            status, value = _receive(child.fd_out)
        except (EOFError, BrokenPipeError):
            code = child.process.poll()
            self._replace(child)
            msg = f"the extraction process died on this record (exit code {code})"
            raise RuntimeError(msg) from None
        if status == "error":
            raise value
        return value

    def _replace(self, child: _Child) -> None:
        """Kill a stuck or dead child and start its successor at once, while the next record is read."""
        child.kill()
        self._child = None
        self.start()


def _send(fd: int, obj: Any, *, raw: bool = False) -> None:
    data = obj if raw else pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
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
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
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
