"""Joining a running scheduler: a quick look at its address first, then the client.

``distributed.Client`` retries an address where nothing listens until its timeout ends, so a
mistyped address or a stopped scheduler used to cost a silent minute. ``probe`` opens (and closes)
one TCP connection with a short timeout first: a refused, unroutable or unresolvable address is an
immediate ``ClusterError``. A scheduler that accepts the connection but is slow to answer still
gets the whole ``timeout``, and ``progress`` is told what is being waited for after a few seconds.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from distributed import Client
from distributed.comm.addressing import parse_address, parse_host_port

from curator_dask.errors import ClusterError

__all__ = ["PROBE_TIMEOUT", "announce_after", "join", "probe", "scheduler_file_address"]

PROBE_TIMEOUT = 5.0  # seconds: a scheduler on a reachable host accepts in milliseconds
_TCP_PROTOCOLS = ("tcp", "tls", "ws", "wss")  # ucx and inproc are not probed
_START = "start the scheduler (`dask scheduler` / `curator-dask cluster`)"


@contextmanager
def announce_after(delay: float, progress: Callable[[str], None], message: str) -> Iterator[None]:
    """Call ``progress(message)`` if the block is still running after ``delay`` seconds."""
    timer = threading.Timer(delay, progress, args=(message,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def probe(
    address: str,
    timeout: float,
    source: str = "",
    progress: Callable[[str], None] | None = None,
    announce: float = 3.0,
) -> None:
    """Fail unless a Dask scheduler accepts a TCP connection at ``address`` and starts to answer.

    The connection itself gets ``PROBE_TIMEOUT`` seconds at most. On ``tcp://`` a scheduler sends
    its handshake as soon as it accepts, so the first byte is awaited for the whole ``timeout``
    (a busy scheduler is slow, not gone); TLS and websocket servers wait for the client, so for
    them only the connection is tried. Other protocols (``ucx://``) are not probed.

    Args:
        address: ``tcp://host:port`` (a bare ``host:port`` is TCP).
        timeout: seconds the scheduler has to answer once it accepted the connection.
        source: where the address came from (``"the address in scheduler file 's.json'"``).
        progress: told what is waited for when the answer takes longer than ``announce`` seconds.
        announce: seconds before ``progress`` is told.

    Raises:
        ClusterError: naming the address, what went wrong and how to fix it.
    """
    protocol, location = parse_address(address)
    if protocol not in _TCP_PROTOCOLS:
        return
    host, port = parse_host_port(location, default_port=8786)
    where = f"{address} ({source})" if source else address
    fix = f"{_START} or fix the {'path' if source else 'address'}"
    connect_timeout = min(timeout, PROBE_TIMEOUT)
    try:
        sock = socket.create_connection((host, port), timeout=connect_timeout)
    except ConnectionRefusedError as e:
        raise ClusterError(f"Nothing is listening at {where}: connection refused; {fix}") from e
    except socket.gaierror as e:
        raise ClusterError(f"Cannot resolve the host {host!r} of {where}: {e.strerror}; fix the address") from e
    except TimeoutError as e:
        msg = f"No answer from {where} within {connect_timeout:g} s; check that the host is up and reachable, or {fix}"
        raise ClusterError(msg) from e
    except OSError as e:
        raise ClusterError(f"Cannot connect to {where}: {e.strerror or e}; {fix}") from e
    with sock:
        if protocol == "tcp":
            _await_answer(sock, address, timeout, progress or (lambda message: None), announce)


def _await_answer(
    sock: socket.socket, address: str, timeout: float, progress: Callable[[str], None], announce: float
) -> None:
    fix = "check the port (the scheduler's, e.g. 8786, not its dashboard's) or raise --timeout"
    waiting = f"joining the scheduler at {address}: it accepted the connection, no answer yet (up to {timeout:g} s)"
    sock.settimeout(timeout)
    try:
        with announce_after(announce, progress, waiting):
            first = sock.recv(1)
    except TimeoutError as e:
        msg = f"Something is listening at {address} but did not answer as a Dask scheduler within {timeout:g} s; {fix}"
        raise ClusterError(msg) from e
    except OSError as e:
        msg = f"Something is listening at {address} but dropped the connection ({e.strerror or e}); {fix}"
        raise ClusterError(msg) from e
    if not first:
        raise ClusterError(f"Something is listening at {address} but closed the connection without answering; {fix}")


def scheduler_file_address(path: str) -> str:
    """The address in the scheduler file ``path`` (the JSON that ``dask scheduler`` writes).

    Raises:
        ClusterError: when the file is missing or holds no address.
    """
    file = Path(path)
    if not file.exists():
        msg = f"Scheduler file {path!r} does not exist; start the scheduler with --scheduler-file {path}"
        raise ClusterError(msg)
    try:
        address = json.loads(file.read_text())["address"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        msg = (
            f"Scheduler file {path!r} holds no scheduler address ({type(e).__name__}: {e}); give the file "
            "that `dask scheduler --scheduler-file` wrote"
        )
        raise ClusterError(msg) from e
    return str(address)


def join(
    address: str | None,
    scheduler_file: str | None,
    timeout: float,
    progress: Callable[[str], None],
    announce: float,
) -> Client:
    """A client of the scheduler at ``address``, or of the one that wrote ``scheduler_file``.

    Args:
        address: the scheduler's address; or None to read it from ``scheduler_file``.
        scheduler_file: used when ``address`` is None.
        timeout: seconds the scheduler has to answer once it accepted the connection.
        progress: told what is waited for when that takes longer than ``announce`` seconds.
        announce: seconds before ``progress`` is told.

    Raises:
        ClusterError: when nothing listens at the address, or the scheduler does not answer in time.
    """
    source = ""
    if address is None:
        if not scheduler_file:
            raise ClusterError("ClusterSpec(kind='scheduler_file') needs scheduler_file= (--scheduler-file PATH)")
        address = scheduler_file_address(scheduler_file)
        source = f"the address in scheduler file {scheduler_file!r}; has its scheduler stopped?"
    probe(address, timeout, source, progress, announce)
    try:
        return Client(address, timeout=timeout)
    except OSError as e:  # it answered the probe, then stopped answering
        raise ClusterError(f"The scheduler at {address} stopped answering within {timeout:g} s: {e}") from e
