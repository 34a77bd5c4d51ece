"""Document ids for deduplication: NeMo Curator's id-generator names, without a Ray actor.

NeMo Curator numbers documents with a Ray actor that hands out consecutive id ranges to reader
tasks in the order they ask (``register_batch``) and saves its registry (``{batch hash: [min,
max]}``) as JSON, so that a later removal run can give the same files the same ids
(``get_batch_range``). Dask has no named, cluster-wide actor that every stage can find, and an
order-dependent counter would give a rerun other ids. So here:

- ``_generate_ids=True`` on a reader gives each file group the ids ``start + row``, ``start``
  derived from the files' names alone (``deterministic_start``): the same input always gets the
  same ids, on any cluster, in any order, without coordination. Ranges of different file groups
  could only meet by a hash collision, which deduplication's unique-id check reports.
- ``_assign_ids=True`` looks the ranges up in a registry (NeMo Curator's JSON, or one written by
  ``write_id_generator_to_disk``); a file group the registry lacks is an error naming its files.
- The "actor" is a driver-side ``IdGenerator``: ``create_id_generator_actor`` makes it,
  ``get_id_generator_actor`` returns it, ``kill_id_generator_actor`` drops it. A reader pickled
  while it exists (which the executor does when a run starts) carries a copy to the workers.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import fsspec
import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError

__all__ = [
    "CURATOR_DEDUP_ID_STR",
    "CURATOR_ID_GENERATOR_ACTOR_NAME",
    "IdGenerator",
    "IdGeneratorBase",
    "add_ids",
    "create_id_generator_actor",
    "deterministic_start",
    "get_id_generator_actor",
    "kill_id_generator_actor",
    "write_id_generator_to_disk",
]

CURATOR_DEDUP_ID_STR = "_curator_dedup_id"
CURATOR_ID_GENERATOR_ACTOR_NAME = "curator_deduplication_id_generator"

# Ids stay below 2**63 (int64); every start leaves room for 2**32 rows.
_ROWS_PER_GROUP = 2**32
_START_SPACE = 2**63 - _ROWS_PER_GROUP


def _as_list(files: str | list[str]) -> list[str]:
    return list(files) if isinstance(files, list | tuple) else [files]


def deterministic_start(files: str | list[str]) -> int:
    """The first id of a file group under ``_generate_ids``: a function of the file names only."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, ";".join(_as_list(files))).int
    return digest % _START_SPACE


class IdGeneratorBase:
    """A registry of id ranges per file group, with NeMo Curator's methods and JSON format.

    Args:
        start_id: the next id ``register_batch`` hands out.
        batch_registry: ``{batch hash: (min_id, max_id)}``.
    """

    def __init__(self, start_id: int = 0, batch_registry: dict[str, tuple[int, int]] | None = None) -> None:
        self.next_id = start_id
        self.batch_registry: dict[str, tuple[int, int]] = batch_registry or {}

    def register_batch(self, files: str | list[str], count: int) -> int:
        """Reserve ``count`` consecutive ids for ``files`` (once: a second call returns the same start)."""
        key = self.hash_files(files)
        if known := self.batch_registry.get(key):
            return int(known[0])
        start = self.next_id
        self.next_id += count
        self.batch_registry[key] = (start, self.next_id - 1)
        return start

    def record_range(self, files: str | list[str], start: int, count: int) -> None:
        """Remember the ids ``start .. start + count - 1`` given to ``files`` (``_generate_ids``)."""
        self.batch_registry[self.hash_files(files)] = (start, start + count - 1)
        self.next_id = max(self.next_id, start + count)

    def hash_files(self, filepath: str | list[str]) -> str:
        """The registry key of a file group: NeMo Curator's uuid5 of the ``;``-joined paths."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, ";".join(_as_list(filepath))))

    def get_batch_range(self, files: str | list[str] | None, key: str | None) -> tuple[int, int]:
        """``(min_id, max_id)`` of a file group, given its files or its registry key (exactly one)."""
        if (files is None) == (key is None):
            msg = "get_batch_range takes either files or key, not both and not neither"
            raise ConfigError(msg)
        lookup = self.hash_files(files) if files is not None else str(key)
        if lookup not in self.batch_registry:
            where = _as_list(files) if files is not None else f"key {key!r}"
            msg = (
                f"The id registry has no ids for {where}; it holds {len(self.batch_registry)} file groups. "
                "Read the files with the same file_paths and files_per_partition/blocksize as the run "
                "that wrote the registry, or pass that run's id generator file."
            )
            raise ConfigError(msg)
        low, high = self.batch_registry[lookup]
        return int(low), int(high)

    def to_disk(self, filepath: str, storage_options: dict[str, Any] | None = None) -> None:
        """Write ``{"next_id", "batch_registry"}`` as JSON (NeMo Curator reads it back)."""
        with fsspec.open(filepath, mode="w", **(storage_options or {})) as handle:
            json.dump({"next_id": self.next_id, "batch_registry": self.batch_registry}, handle)

    @classmethod
    def from_disk(cls, filepath: str, storage_options: dict[str, Any] | None = None) -> IdGeneratorBase:
        """Load a registry written by ``to_disk`` or by NeMo Curator."""
        try:
            with fsspec.open(filepath, mode="r", **(storage_options or {})) as handle:
                data = json.load(handle)
            registry = {k: (int(v[0]), int(v[1])) for k, v in data["batch_registry"].items()}
            return cls(start_id=int(data["next_id"]), batch_registry=registry)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            msg = (
                f"{filepath} is not an id generator file ({type(error).__name__}: {error}); pass the JSON file "
                'an identification run wrote (keys "next_id" and "batch_registry").'
            )
            raise ConfigError(msg) from error


class IdGenerator(IdGeneratorBase):
    """The driver-side stand-in for NeMo Curator's Ray actor ``IdGenerator``."""

    def wait(self) -> None:
        """NeMo Curator waits for its actor to start; a local object is ready at once."""


_active: IdGenerator | None = None


def create_id_generator_actor(filepath: str | None = None, storage_options: dict[str, Any] | None = None) -> None:
    """Make the driver's id generator: empty, or loaded from ``filepath`` (JSON)."""
    global _active
    _active = IdGenerator() if filepath is None else IdGenerator(**_loaded(filepath, storage_options))


def _loaded(filepath: str, storage_options: dict[str, Any] | None) -> dict[str, Any]:
    base = IdGeneratorBase.from_disk(filepath, storage_options)
    return {"start_id": base.next_id, "batch_registry": base.batch_registry}


def get_id_generator_actor() -> IdGenerator:
    """The id generator made by ``create_id_generator_actor`` (in this process, or carried by a reader)."""
    if _active is None:
        msg = (
            "No id generator exists. Call curator_dask.stages.deduplication.id_generator."
            "create_id_generator_actor() (optionally with the JSON file of an earlier run) before building "
            "and running the pipeline."
        )
        raise ConfigError(msg)
    return _active


def kill_id_generator_actor() -> None:
    """Drop the driver's id generator (NeMo Curator kills its actor)."""
    global _active
    get_id_generator_actor()
    _active = None


def write_id_generator_to_disk(filepath: str, storage_options: dict[str, Any] | None = None) -> None:
    """Write the driver's id generator to ``filepath`` as JSON."""
    get_id_generator_actor().to_disk(filepath, storage_options)


def active_generator() -> IdGenerator | None:
    """The driver's id generator, or ``None`` (what a reader takes along when it is pickled)."""
    return _active


def add_ids(frame: pd.DataFrame, files: list[str], generate: bool, generator: IdGeneratorBase | None) -> None:
    """Add ``CURATOR_DEDUP_ID_STR`` to a reader's frame of ``files`` (in place).

    ``generate``: the ids ``deterministic_start(files) + row`` (recorded in ``generator`` when
    there is one); otherwise the range ``generator`` holds for ``files``, which must have as many
    ids as the frame has rows. A frame that already has the column keeps it, as in NeMo Curator.
    """
    if CURATOR_DEDUP_ID_STR in frame.columns:
        return
    count = len(frame)
    if generate:
        start = deterministic_start(files)
        if generator is not None:
            generator.record_range(files, start, count)
    else:
        generator = generator if generator is not None else get_id_generator_actor()
        start, high = generator.get_batch_range(files, None)
        if high - start + 1 != count:
            msg = (
                f"The id registry gives {files} {high - start + 1} ids, but the files hold {count} rows now; "
                "the files changed since the identification run. Rerun identification on the current files."
            )
            raise ConfigError(msg)
    frame[CURATOR_DEDUP_ID_STR] = np.arange(start, start + count, dtype=np.int64)
