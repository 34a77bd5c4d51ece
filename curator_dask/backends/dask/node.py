"""Node identity and the once-per-node election for ``setup_on_node``.

A node is a host by default. ``CURATOR_DASK_NODE_ID`` in a worker's environment overrides it
(containers that share a host name, tests that simulate nodes on one machine).

The election uses a file lock in the node's local temporary directory: the first worker of a
node to take the lock runs ``setup_on_node`` and leaves a marker saying how it went; the others
wait on the lock and read the marker. It needs no scheduler changes and works for workers that
join later.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from distributed.comm import get_address_host

__all__ = ["NODE_ID_ENV", "node_id_for", "run_once_per_node"]

NODE_ID_ENV = "CURATOR_DASK_NODE_ID"
_OK = "ok"


def node_id_for(worker_address: str) -> str:
    """The node id of the worker at ``worker_address`` (never contains a comma)."""
    node = os.environ.get(NODE_ID_ENV) or get_address_host(worker_address)
    return node.replace(",", "_")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def run_once_per_node(run_id: str, key: str, node_id: str, fn: Callable[[], None]) -> bool:
    """Run ``fn`` once for ``(run_id, key, node_id)`` among all processes of this node.

    Blocks until the node's single run has finished. Returns True in the process that ran it.

    Raises:
        RuntimeError: when the node's run raised (in every process that waited for it), with
            the original traceback in the message.
    """
    folder = Path(tempfile.gettempdir()) / "curator_dask-setup" / _safe(run_id)
    stem = f"{_safe(key)}--{_safe(node_id)}"  # node ids hold dots: never use Path.with_suffix here
    marker = folder / f"{stem}.done"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{stem}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        try:
            if marker.exists():
                outcome = marker.read_text()
                if outcome != _OK:
                    raise RuntimeError(f"setup_on_node failed on node {node_id!r}:\n{outcome}")
                return False
            try:
                fn()
            except Exception:
                marker.write_text(traceback.format_exc())
                raise
            marker.write_text(_OK)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def forget_run(run_id: str) -> None:
    """Remove a finished run's election files on this node (best effort; run at the run's end)."""
    shutil.rmtree(Path(tempfile.gettempdir()) / "curator_dask-setup" / _safe(run_id), ignore_errors=True)
