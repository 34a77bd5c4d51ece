"""Joining a scheduler: a closed port fails at once, a silent listener gets the whole timeout."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_dask.core import ClusterError, ClusterSpec, connect

START = r"start the scheduler \(`dask scheduler` / `curator-dask cluster`\)"


@pytest.fixture
def closed_port() -> int:
    """A port that nothing listens on: bound once to find a free one, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port whose listener accepts connections (the kernel's backlog) but never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def test_nothing_listening_fails_at_once_not_after_the_timeout(closed_port: int) -> None:
    address = f"tcp://127.0.0.1:{closed_port}"
    started = time.monotonic()
    with pytest.raises(ClusterError, match=rf"^Nothing is listening at {address}: connection refused; {START} or fix "
                       "the address$"):  # fmt: skip
        connect(ClusterSpec(address=address, timeout=60))
    assert time.monotonic() - started < 5


def test_a_scheduler_file_naming_a_stopped_scheduler_fails_at_once(tmp_path: Path, closed_port: int) -> None:
    path = tmp_path / "scheduler.json"
    path.write_text(json.dumps({"type": "Scheduler", "address": f"tcp://127.0.0.1:{closed_port}"}))
    started = time.monotonic()
    with pytest.raises(ClusterError, match=rf"^Nothing is listening at tcp://127.0.0.1:{closed_port} \(the address in "
                       rf"scheduler file '{path}'; has its scheduler stopped\?\): connection refused; {START} or fix "
                       "the path$"):  # fmt: skip
        connect(ClusterSpec(scheduler_file=str(path), timeout=60))
    assert time.monotonic() - started < 5
    path.write_text("{")
    with pytest.raises(ClusterError, match=r"holds no scheduler address \(JSONDecodeError: .*\); give the file that "
                       "`dask scheduler --scheduler-file` wrote"):  # fmt: skip
        connect(ClusterSpec(scheduler_file=str(path)))


def test_an_unknown_host_is_named() -> None:
    with pytest.raises(ClusterError, match=r"Cannot resolve the host 'no-such-host\.invalid' of "
                       r"tcp://no-such-host\.invalid:8786: .*; fix the address"):  # fmt: skip
        connect(ClusterSpec(address="tcp://no-such-host.invalid:8786"))


def test_a_listener_that_does_not_answer_gets_the_whole_timeout(silent_listener: int) -> None:
    address = f"tcp://127.0.0.1:{silent_listener}"
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(ClusterError, match=rf"^Something is listening at {address} but did not answer as a Dask "
                       r"scheduler within 1 s; check the port \(the scheduler's, e\.g\. 8786, not its dashboard's\) "
                       "or raise --timeout$"):  # fmt: skip
        connect(ClusterSpec(address=address, timeout=1), progress=said.append, announce_after_s=0.2)
    assert time.monotonic() - started >= 1
    assert said == [f"joining the scheduler at {address}: it accepted the connection, no answer yet (up to 1 s)"]
