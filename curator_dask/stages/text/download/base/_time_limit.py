"""A time limit on one record's extraction that holds even inside C code.

A Dask worker runs tasks in threads of its process, and a Python thread cannot be stopped from
outside; ``SIGALRM`` reaches only the main thread and interrupts only Python bytecode, not a
long ``lxml`` parse or a backtracking regular expression. So, by default (``mode="process"``),
the extractor runs in a child process started with ``subprocess`` (a Dask worker is a daemon
process, which ``multiprocessing`` may not fork children from): each record is sent over a pipe,
and when no answer comes within the limit the child is killed and a fresh one is started at the
next record. ``mode="signal"`` (main thread only) uses ``setitimer`` instead: cheaper, but it
cannot stop C code. ``benchmarks/extract.py`` measures what each costs per record.
"""

from __future__ import annotations

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
        self._child: subprocess.Popen[bytes] | None = None
        self._payload = pickle.dumps(extractor) if mode == "process" else b""

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if self.mode == "signal" and threading.current_thread() is threading.main_thread():
            return self._extract_with_alarm(record)
        return self._extract_in_child(record)

    def close(self) -> None:
        """Stop the child process, if one runs."""
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            for stream in (self._child.stdin, self._child.stdout):
                if stream is not None:
                    stream.close()
            self._child = None

    def __del__(self) -> None:
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
        child = self._started()
        assert child.stdin is not None and child.stdout is not None
        _send(child.stdin.fileno(), record)
        ready, _, _ = select.select([child.stdout.fileno()], [], [], self.seconds)
        if not ready:
            self.close()
            raise TimeoutError
        try:
            status, value = _receive(child.stdout.fileno())
        except EOFError:
            code = child.poll()
            self.close()
            msg = f"the extraction process died on this record (exit code {code})"
            raise RuntimeError(msg) from None
        if status == "error":
            raise value
        return value

    def _started(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            self.close()
            # The child must import what the worker imports (the extractor's module may be a test's).
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self._child = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import _serve; _serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
            assert self._child.stdin is not None and self._child.stdout is not None
            _send(self._child.stdin.fileno(), self._payload, raw=True)
            # Starting the interpreter and importing the extractor is not the record's time.
            ready, _, _ = select.select([self._child.stdout.fileno()], [], [], _STARTUP_TIMEOUT_S)
            if not ready or _receive(self._child.stdout.fileno()) != ("ready", None):
                self.close()
                msg = f"the extraction process did not start within {_STARTUP_TIMEOUT_S}s; see the worker's log"
                raise RuntimeError(msg)
            logger.info("extraction child process %d started for %s", self._child.pid, type(self.extractor).__name__)
        return self._child

    def start(self) -> None:
        """Start the child process now (``setup`` does), so the first record does not wait for it."""
        if self.mode == "process":
            self._started()


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
