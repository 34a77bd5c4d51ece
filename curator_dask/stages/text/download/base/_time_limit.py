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
extraction libraries, reads the extractor and warms their caches, about 1.5 s on an idle core. So a
child outlives the stage copy that started it: ``close`` puts it in this process's pool of idle
children, keyed by the pickled extractor, and the next stage copy with an identical extractor (the
next run's, the next pipeline's) takes it back. A worker process therefore starts one child per
extractor, not one per run. A child is killed on a timeout, when it dies, when more than
``_children._MAX_IDLE`` are idle (oldest first) and at exit; it also ends by itself when its parent
does (its input pipe closes). The extractor copy in a child is reused across tasks and runs, so an
extractor must not count on state reset per run. A child is started in the background (``start``)
and waited for only at its first record, so a stage's ``setup`` does not wait for it, and neither
start-up is counted against the record's limit.

Handing one record over and waiting for its answer costs two wake-ups, each a wait for a free
core on a busy machine (about as long as the extraction itself with a few workers per core). So
records are streamed: ``submit`` queues a record and ``collect`` returns the oldest one's
outcome, with up to a window of records (the stage's choice) in flight; the child works through
them without waiting. The limit holds per record: the oldest record's clock starts when the one
before it was answered (or when it was sent, if later), so reading answers late only gives a
record more time, never less. A stopped child's records still in flight go to its successor.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import time
from collections import deque
from types import FrameType
from typing import Any, Literal

from curator_dask.stages.text.download.base._children import HEADER, Child, frame, give_back, take
from curator_dask.stages.text.download.base.extract import DocumentExtractor

__all__ = ["TimeLimitedExtractor"]

_WRITE_CHUNK = 1 << 16


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
        self._child: Child | None = None
        self._payload = pickle.dumps(extractor, protocol=pickle.HIGHEST_PROTOCOL) if mode == "process" else b""
        self._flight: deque[bytes] = deque()  # the messages of the records sent and not yet answered
        self._out = bytearray()  # bytes not yet written to the child
        self._in = bytearray()  # bytes read from the child and not yet an answer
        self._head_since = 0.0  # when the oldest record in flight started its clock

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """One record's document (with nothing else in flight)."""
        if self.mode == "signal" and threading.current_thread() is threading.main_thread():
            return self._extract_with_alarm(record)
        self.submit(record)
        return self.collect()

    @property
    def in_flight(self) -> int:
        """Records submitted and not yet collected."""
        return len(self._flight)

    def submit(self, record: dict[str, Any]) -> None:
        """Send ``record`` to the child (``"process"`` mode); ``collect`` gives the outcomes in order."""
        child = self._ready_child()
        message = frame(record)
        if not self._flight:
            self._head_since = time.monotonic()
        self._flight.append(message)
        self._out += message
        with contextlib.suppress(EOFError, BrokenPipeError):  # a dead child: collect says so
            self._pump(child, 0)

    def collect(self) -> dict[str, Any] | None:
        """The oldest record's document; what its extraction raised; ``TimeoutError`` past the limit."""
        assert self._flight, "collect() without a record in flight"
        child = self._ready_child()
        while True:
            answer = self._answer()
            if answer is not None:
                self._flight.popleft()
                self._head_since = time.monotonic()
                status, value = answer
                if status == "error":
                    raise value
                return value  # type: ignore[no-any-return]
            remaining = self._head_since + self.seconds - time.monotonic()
            if remaining <= 0:
                self._restart(child)
                raise TimeoutError
            try:
                self._pump(child, remaining)
            except (EOFError, BrokenPipeError):
                code = child.process.poll()
                self._restart(child)
                msg = f"the extraction process died on this record (exit code {code})"
                raise RuntimeError(msg) from None

    def start(self) -> None:
        """Take or start a child now (``setup`` does), so that it starts while other work goes on."""
        if self.mode == "process" and self._child is None:
            self._child = take(self._payload, type(self.extractor).__name__)

    def abandon(self) -> None:
        """Forget the records in flight; a child still working on them is killed, never reused."""
        if self._flight and self._child is not None:
            self._child.kill()
            self._child = None
        self._flight.clear()
        self._out.clear()
        self._in.clear()

    def close(self) -> None:
        """Hand the child, if any, back to this process's pool of idle children."""
        self.abandon()
        child, self._child = self._child, None
        if child is not None:
            give_back(child)

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

    def _ready_child(self) -> Child:
        if self._child is not None and not self._child.alive() and not self._flight:
            self._child.kill()  # died idle (killed from outside): start another
            self._child = None
        self.start()
        child = self._child
        assert child is not None
        if not child.ready:
            try:
                child.wait_ready()
            except RuntimeError:
                self._child = None
                self.abandon()
                raise
            self._head_since = time.monotonic()  # start-up is not the record's time
        return child

    def _restart(self, child: Child) -> None:
        """Kill a stuck or dead child, drop its oldest record and start a successor for the others."""
        child.kill()
        self._child = None
        self._flight.popleft()
        self._in.clear()
        self._out = bytearray(b"".join(self._flight))
        self.start()

    def _pump(self, child: Child, timeout: float) -> None:
        """Write what the pipe takes and read what has come, waiting at most ``timeout`` for either."""
        writing = [child.fd_in] if self._out else []
        readable, writable, _ = select.select([child.fd_out], writing, [], timeout)
        if writable:
            with contextlib.suppress(BlockingIOError):
                del self._out[: os.write(child.fd_in, self._out[:_WRITE_CHUNK])]
        if readable:
            chunk = os.read(child.fd_out, 1 << 20)
            if not chunk:
                raise EOFError
            self._in += chunk

    def _answer(self) -> tuple[str, Any] | None:
        if len(self._in) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self._in)
        if len(self._in) < HEADER.size + size:
            return None
        answer: tuple[str, Any] = pickle.loads(self._in[HEADER.size : HEADER.size + size])
        del self._in[: HEADER.size + size]
        return answer
