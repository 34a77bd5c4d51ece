"""Weight staging: make a model's files present on a node once, then load them from that disk.

A model is named by a Hugging Face repo id (``"nvidia/domain-classifier"``) or by a local folder (a
``save_pretrained`` output, for example on a shared filesystem every node mounts). For a repo id,
``stage_snapshot`` (called from ``setup_on_node``) looks in the node's Hugging Face cache first, and
goes to the hub only when the snapshot is missing and the machine may go online; ``local_snapshot``
(called from ``setup``) never touches the network. Offline (``HF_HUB_OFFLINE=1``) a missing
snapshot is a :class:`~curator_dask.errors.StageSetupError` that names the repo id, the cache it
looked in and the ways to fill it.

The environment is read at call time, not import time (huggingface_hub freezes its own constants
when imported), so a worker started before ``HF_HOME`` or ``HF_HUB_OFFLINE`` was set in its
environment still honours what the call sees.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from pathlib import Path

from curator_dask.errors import StageSetupError

__all__ = ["hub_cache_dir", "is_offline", "local_snapshot", "save_to_hub_cache", "stage_snapshot"]

_TRUE = {"1", "on", "yes", "true"}


def hub_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The hub cache folder used for ``cache_dir`` (None: ``HF_HUB_CACHE``, ``HF_HOME/hub``, ``~/.cache``)."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(home).expanduser() / "hub"


def is_offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids going to the hub."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _local_folder(model: str) -> Path | None:
    path = Path(model).expanduser()
    return path if path.is_dir() else None


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", "./", "../", "~")) or model.count("/") > 1


def _cached(repo_id: str, cache: Path) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id=repo_id, cache_dir=str(cache), local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        return None


def _missing(repo_id: str, cache: Path, why: str) -> StageSetupError:
    return StageSetupError(
        f"Model {repo_id!r} is not in the Hugging Face cache {cache} on node {socket.gethostname()!r}, and "
        f"{why}. Fill that cache on a machine with network access "
        f"(`hf download {repo_id} --cache-dir {cache}`), copy a saved model in with "
        f"curator_dask.models.save_to_hub_cache(folder, {repo_id!r}, cache_dir={str(cache)!r}), "
        "or pass the path of a local model folder instead of the repo id."
    )


def stage_snapshot(
    model: str,
    cache_dir: str | os.PathLike[str] | None = None,
    token: str | None = None,
    allow_patterns: list[str] | None = None,
) -> Path:
    """Make ``model``'s files present on this node (once per node, from ``setup_on_node``).

    Args:
        model: a Hugging Face repo id, or a local model folder (used where it is).
        cache_dir: the hub cache to use; None for the default (``HF_HUB_CACHE`` / ``HF_HOME``).
        token: a Hugging Face token, for gated or private repositories.
        allow_patterns: download only the files matching these globs (e.g. ``["config.json"]`` for
            a backbone whose weights come from elsewhere).

    Returns:
        The folder holding the model's files.

    Raises:
        StageSetupError: the model is neither a folder nor cached, and the hub is off limits
            (``HF_HUB_OFFLINE=1``) or could not deliver it.
    """
    folder = _local_folder(model)
    if folder is not None:
        return folder
    cache = hub_cache_dir(cache_dir)
    if _looks_like_path(model):
        msg = (
            f"Model folder {model!r} does not exist on node {socket.gethostname()!r}: "
            "give a folder every node can read, or a Hugging Face repo id."
        )
        raise StageSetupError(msg)
    found = _cached(model, cache)
    if found is not None:
        return found
    if is_offline():
        raise _missing(model, cache, "the hub may not be used (HF_HUB_OFFLINE=1)")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id=model, cache_dir=str(cache), token=token, allow_patterns=allow_patterns))
    except Exception as e:  # any hub failure (network, auth, unknown repo) ends the same way
        raise _missing(model, cache, f"downloading it failed ({type(e).__name__}: {e})") from e


def local_snapshot(model: str, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder of ``model``'s files on this node's disk; never goes to the network (``setup``).

    Raises:
        StageSetupError: the model is neither a local folder nor in the cache.
    """
    folder = _local_folder(model)
    if folder is not None:
        return folder
    cache = hub_cache_dir(cache_dir)
    found = _cached(model, cache)
    if found is None:
        raise _missing(model, cache, "setup_on_node did not stage it (was the cache emptied meanwhile?)")
    return found


def save_to_hub_cache(
    folder: str | os.PathLike[str], repo_id: str, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Copy a saved model folder into the hub cache as ``repo_id``'s ``main`` revision.

    Use it to pre-populate node caches for offline runs (or in tests). The snapshot's name is a
    hash of the files, so copying the same folder twice is a no-op; ``refs/main`` is pointed at it,
    as a hub download would do. Nothing else in the cache is touched.

    Returns:
        The snapshot folder.
    """
    source = Path(folder)
    if not source.is_dir():
        msg = f"save_to_hub_cache: {str(source)!r} is not a folder; give the folder a model was saved to."
        raise FileNotFoundError(msg)
    files = sorted(p for p in source.rglob("*") if p.is_file())
    digest = hashlib.sha1()
    for path in files:
        digest.update(str(path.relative_to(source)).encode())
        digest.update(path.read_bytes())
    repo = hub_cache_dir(cache_dir) / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / digest.hexdigest()
    if not snapshot.exists():
        tmp = snapshot.with_name(snapshot.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp)
        tmp.rename(snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(digest.hexdigest())
    return snapshot
