"""Helpers for the reader and writer tests: real files in ``tmp_path``, stages called directly."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from curator_dask.stages.base import CompositeStage
from curator_dask.tasks import DocumentBatch, EmptyTask, FileGroupTask

_COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "": lambda b: b,
    ".gz": gzip.compress,
    ".zst": lambda b: zstandard.ZstdCompressor().compress(b),
}


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[str, bytes], str]:
    """Writes ``content`` to ``tmp_path/name``, compressed by the name's suffix; returns the path."""

    def write(name: str, content: bytes) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_COMPRESS[path.suffix if path.suffix in _COMPRESS else ""](content))
        return str(path)

    return write


def _group(*paths: str, task_id: str = "0_abc") -> FileGroupTask:
    task = FileGroupTask(dataset_name="ds", data=list(paths), _metadata={"source_files": list(paths)})
    task.task_id = task_id  # what the adapter would have given it
    return task


def _run_composite(reader: CompositeStage) -> list[DocumentBatch]:
    partitioning, reading = reader.decompose()
    return [reading.process(t) for t in partitioning.process(EmptyTask())]


@pytest.fixture
def group() -> Callable[..., FileGroupTask]:
    """Builds a FileGroupTask as the partitioning stage makes it: ``group(*paths, task_id=...)``."""
    return _group


@pytest.fixture
def run_composite() -> Callable[[CompositeStage], list[DocumentBatch]]:
    """Runs a reader's execution stages in order, as an executor would, without a cluster."""
    return _run_composite
