"""``ArxivIterator``: the LaTeX sources of each paper in an arXiv bulk source tar, read in memory.

A bulk tar (``arXiv_src_2301_001.tar``) holds one entry per paper: ``2301.00001.gz`` is either a
gzipped single ``.tex`` file or a gzipped tar of the paper's project. NeMo Curator extracts the
whole tar to a temporary folder first; this streams the members instead, so nothing is written
to disk and a member's path (``../x``, absolute, a link) never matters.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
import tarfile
import zlib
from collections.abc import Iterator
from typing import Any

from curator_dask.stages.text.download.base import DocumentIterator
from curator_dask.stages.text.download.base.iterator import SkippedRecord

__all__ = ["ArxivIterator", "format_arxiv_id"]

logger = logging.getLogger(__name__)

_ID = re.compile(r"^([a-zA-Z-]*)([\d.]+)$")


def format_arxiv_id(raw_id: str) -> str:
    """``hep-th9901001`` -> ``hep-th/9901001`` (identifiers before 2007); ``2301.00001`` stays; others unchanged."""
    match = _ID.match(raw_id)
    if match is None:
        return raw_id
    archive, number = match.groups()
    return f"{archive}/{number}" if archive else number


class _NotLatex(Exception):
    """A paper entry with no LaTeX in it (a PDF-only submission), or LaTeX that is not UTF-8."""


def _tex_sources(payload: bytes) -> list[str]:
    """The ``.tex`` files of one paper entry: a (compressed) tar project, or one gzipped file."""
    try:
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:*") as project:
            members = [m for m in project.getmembers() if m.isfile() and m.name.endswith(".tex")]
            raw = [project.extractfile(m).read() for m in members]  # type: ignore[union-attr]
    except tarfile.TarError:
        try:
            raw = [gzip.decompress(payload)]
        except (OSError, EOFError, zlib.error) as error:
            raise _NotLatex(f"neither a tar nor a gzip file ({error})") from error
    try:
        return [content.decode("utf-8") for content in raw]
    except UnicodeDecodeError as error:
        raise _NotLatex(f"LaTeX source is not UTF-8 ({error.reason} at byte {error.start})") from error


class ArxivIterator(DocumentIterator):
    """Yields ``{"id", "source_id", "content"}`` per paper: its id, the bulk tar's name, its ``.tex`` texts.

    Entries are read in name order (as NeMo Curator's sorted walk of the extracted folder). A paper
    entry without LaTeX (a PDF-only submission) or with LaTeX that is not UTF-8 is dropped by
    NeMo Curator without a trace; here it is a ``SkippedRecord``, counted by the stage. A paper
    whose project has no ``.tex`` file yields an empty ``content``, which the extractor drops.

    Args:
        log_frequency: log progress every this many papers.
        extract_tmp_dir: NeMo Curator's folder for the extracted tar; accepted and unused, since
            nothing is extracted to disk.
    """

    def __init__(self, log_frequency: int = 1000, extract_tmp_dir: str | None = None) -> None:
        super().__init__()
        self._log_frequency = log_frequency
        self._extract_tmp_dir = extract_tmp_dir
        self._counter = 0

    def iterate(self, file_path: str) -> Iterator[dict[str, Any] | SkippedRecord]:  # type: ignore[override]
        """The papers of the bulk tar ``file_path``."""
        self._counter = 0
        source_id = os.path.basename(str(file_path))
        with tarfile.open(file_path) as bulk:
            members = sorted((m for m in bulk.getmembers() if m.isfile()), key=lambda m: m.name)
            for position, member in enumerate(members):
                self._counter += 1
                if self._log_frequency and self._counter % self._log_frequency == 0:
                    logger.info("read %d papers of %s", self._counter, file_path)
                raw_id = os.path.splitext(os.path.basename(member.name))[0]
                payload = bulk.extractfile(member).read()  # type: ignore[union-attr]
                try:
                    content = _tex_sources(payload)
                except _NotLatex as error:
                    yield SkippedRecord(f"paper {member.name}: {error}", position)
                    continue
                yield {"id": format_arxiv_id(raw_id), "source_id": source_id, "content": content}

    def output_columns(self) -> list[str]:
        return ["id", "source_id", "content"]
