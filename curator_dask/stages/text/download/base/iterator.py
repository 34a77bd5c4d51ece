"""``DocumentIterator`` and the stage that iterates downloaded files and extracts their records.

Nothing is dropped without a count. A record the iterator cannot read (it yields a
``SkippedRecord``), a record whose extraction raised or outlasted ``extract_timeout_s``, and a
file that breaks off midway are, with ``on_error="skip"`` (the default: one bad page in a
crawl of billions should not end a run), left out, listed in ``_metadata["skipped"]`` as
``{"file", "record", "reason"}`` (``record`` is the record's position in the file, ``None`` for
a whole file) and counted in the metrics ``skipped_records`` and ``skipped_files``. With
``on_error="raise"`` the first of them raises ``BadInputError``. An extractor returning
``None`` ("no document in this record") is a plain filter, as in NeMo Curator.
"""

from __future__ import annotations

import contextlib
import logging
import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from curator_dask.backends.base import WorkerMetadata
from curator_dask.backends.utils import RayStageSpecKeys
from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.text.download.base._time_limit import TimeLimitedExtractor
from curator_dask.stages.text.download.base.download import add_metrics
from curator_dask.stages.text.download.base.extract import DocumentExtractor
from curator_dask.tasks import DocumentBatch, FileGroupTask

__all__ = ["DocumentIterateExtractStage", "DocumentIterator", "SkippedRecord", "resolve_filename_column"]

logger = logging.getLogger(__name__)

_SKIP_FIX = "pass on_error='skip' to count and skip such records"
_WINDOW = 8  # records in the time limit's child at once: it need not wait for the worker between them


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """Yielded by an iterator in place of a record it cannot read, so the stage counts it."""

    reason: str
    record: int | None = None


class DocumentIterator(ABC):
    """Reads one local file and yields its records as dicts (raw content in a field such as ``"content"``).

    An iterator may yield a ``SkippedRecord`` for a record it cannot read and go on with the next.
    """

    @abstractmethod
    def iterate(self, file_path: str) -> Iterator[dict[str, Any]]:
        """The records of ``file_path``."""
        ...

    @abstractmethod
    def output_columns(self) -> list[str]:
        """The fields of the records ``iterate`` yields."""
        ...


def resolve_filename_column(add_filename_column: bool | str) -> str | None:
    """``True`` -> ``"file_name"``, ``False`` -> ``None``, a string -> that column name."""
    if add_filename_column is True:
        return "file_name"
    if add_filename_column is False:
        return None
    if isinstance(add_filename_column, str) and add_filename_column:
        return add_filename_column
    msg = f"add_filename_column must be True, False or a column name, got {add_filename_column!r}"
    raise ConfigError(msg)


@dataclass
class DocumentIterateExtractStage(ProcessingStage[FileGroupTask, DocumentBatch]):
    """Iterates the files of a ``FileGroupTask`` and extracts each record into a ``DocumentBatch``.

    Args:
        iterator: reads the records of one file.
        extractor: turns a record into a document (``None``: the records are the documents).
        record_limit: keep at most this many documents per file.
        add_filename_column: add the file's base name under ``"file_name"`` (``True``) or this name.
        max_calls_per_worker: NeMo Curator's Ray Data worker restart; accepted and unused on Dask.
        on_error: ``"skip"`` or ``"raise"`` (see the module docstring).
        extract_timeout_s: longest one record's extraction may take; longer ones are stopped and
            skipped. The extractor then runs in a child process of the worker (see ``_time_limit``).
    """

    iterator: DocumentIterator
    extractor: DocumentExtractor | None = None
    record_limit: int | None = None
    add_filename_column: bool | str = True
    max_calls_per_worker: int | None = None
    on_error: Literal["raise", "skip"] = "skip"
    extract_timeout_s: float | None = None

    def __post_init__(self) -> None:
        self.filename_col = resolve_filename_column(self.add_filename_column)
        if self.on_error not in ("raise", "skip"):
            msg = f"on_error must be 'raise' or 'skip', got {self.on_error!r}"
            raise ConfigError(msg)
        if self.record_limit is not None and (not isinstance(self.record_limit, int) or self.record_limit < 0):
            msg = f"record_limit must be a non-negative int or None, got {self.record_limit!r}"
            raise ConfigError(msg)
        if self.extract_timeout_s is not None and not (
            isinstance(self.extract_timeout_s, int | float) and self.extract_timeout_s > 0
        ):
            msg = f"extract_timeout_s must be a positive number of seconds or None, got {self.extract_timeout_s!r}"
            raise ConfigError(msg)
        iterator_name = type(self.iterator).__name__.lower()
        if self.extractor is not None:
            self.name = f"iterate_extract_{iterator_name}_{type(self.extractor).__name__.lower()}"
        else:
            self.name = f"iterate_{iterator_name}"
        self._limited: TimeLimitedExtractor | None = None

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def outputs(self) -> tuple[list[str], list[str]]:
        columns = self.extractor.output_columns() if self.extractor is not None else self.iterator.output_columns()
        return ["data"], columns + ([self.filename_col] if self.filename_col else [])

    def ray_stage_spec(self) -> dict[str, Any]:
        """NeMo Curator's Ray hint (restart a worker every ``max_calls_per_worker`` tasks); unused on Dask."""
        if self.max_calls_per_worker is None:
            return {}
        return {RayStageSpecKeys.MAX_CALLS_PER_WORKER: self.max_calls_per_worker}

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        if self.extractor is not None and self.extract_timeout_s is not None and self._limited is None:
            self._limited = TimeLimitedExtractor(self.extractor, float(self.extract_timeout_s))
            self._limited.start()

    def teardown(self) -> None:
        if self._limited is not None:
            self._limited.close()
            self._limited = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_limited"] = None  # a child process does not travel; setup starts one where it runs
        return state

    def process(self, task: FileGroupTask) -> DocumentBatch:
        self.setup()
        records: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        for file_path in task.data:
            self._iterate_file(file_path, records, skipped)
        add_metrics(
            self,
            {
                "skipped_records": sum(1 for s in skipped if s["record"] is not None),
                "skipped_files": sum(1 for s in skipped if s["record"] is None),
            },
        )
        metadata = {**task._metadata}
        if skipped:
            metadata["skipped"] = [*task._metadata.get("skipped", []), *skipped]
        columns = self.outputs()[1]
        data = pd.DataFrame(records) if records else pd.DataFrame(columns=columns)
        return DocumentBatch(
            dataset_name=task.dataset_name, data=data, _metadata=metadata, _stage_perf=task._stage_perf
        )

    def _iterate_file(self, file_path: str, records: list[dict[str, Any]], skipped: list[dict[str, Any]]) -> None:
        # With the time limit, up to _WINDOW records are in the child at once (see _time_limit);
        # outcomes are still taken in file order, so documents and skips come out as without it.
        window = _WINDOW if self._limited is not None else 1
        pending: deque[tuple[int, dict[str, Any] | SkippedRecord]] = deque()
        kept = [0]
        position = -1
        try:
            for position, item in enumerate(self.iterator.iterate(file_path) or ()):
                if self.record_limit is not None and kept[0] >= self.record_limit:
                    break
                if not isinstance(item, SkippedRecord):
                    self._submit(file_path, item)
                pending.append((position, item))
                while pending and (len(pending) >= window or isinstance(pending[0][1], SkippedRecord)):
                    self._resolve(file_path, *pending.popleft(), records, skipped, kept)
            while pending:
                self._resolve(file_path, *pending.popleft(), records, skipped, kept)
        except Exception as error:  # a file broken midway keeps the records read before the break
            if isinstance(error, BadInputError) and self.on_error == "raise":
                raise
            while pending:
                self._resolve(file_path, *pending.popleft(), records, skipped, kept)
            self._skip(file_path, None, f"reading stopped after record {position + 1}: {error!r}", skipped)
        finally:
            if self._limited is not None:
                self._limited.abandon()  # records left in flight (on_error="raise") must not reach the next file

    def _submit(self, file_path: str, record: dict[str, Any]) -> None:
        if self.filename_col:
            record[self.filename_col] = os.path.basename(file_path)
        if self._limited is not None:
            self._limited.submit(record)

    def _resolve(
        self,
        file_path: str,
        position: int,
        item: dict[str, Any] | SkippedRecord,
        records: list[dict[str, Any]],
        skipped: list[dict[str, Any]],
        kept: list[int],
    ) -> None:
        if self.record_limit is not None and kept[0] >= self.record_limit:
            if not isinstance(item, SkippedRecord) and self._limited is not None:
                with contextlib.suppress(Exception):  # read ahead past the limit: its outcome is not wanted
                    self._limited.collect()
            return
        if isinstance(item, SkippedRecord):
            self._skip(file_path, item.record if item.record is not None else position, item.reason, skipped)
            return
        document = self._extract(file_path, position, item, skipped)
        if document is not None:
            records.append(document)
            kept[0] += 1

    def _extract(
        self, file_path: str, position: int, record: dict[str, Any], skipped: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        if self.extractor is None:
            return record
        try:
            document = self._limited.collect() if self._limited else self.extractor.extract(record)
        except BadInputError as error:
            self._skip(file_path, position, str(error), skipped)
            return None
        except TimeoutError:
            reason = f"extraction took longer than extract_timeout_s={self.extract_timeout_s}s and was stopped"
            self._skip(file_path, position, reason, skipped)
            add_metrics(self, {"timed_out_records": 1})
            return None
        except Exception as error:  # one page that breaks the extractor is one skipped record
            self._skip(file_path, position, f"extraction raised {error!r}", skipped)
            return None
        if document is not None and self.filename_col:
            document[self.filename_col] = record[self.filename_col]
        return document

    def _skip(self, file_path: str, record: int | None, reason: str, skipped: list[dict[str, Any]]) -> None:
        where = "the file" if record is None else f"record {record}"
        if self.on_error == "raise":
            raise BadInputError(file_path, f"{where}: {reason}", fix=_SKIP_FIX)
        if record is None:
            logger.error("Error iterating %s: %s", file_path, reason)
        else:
            logger.warning("skipping %s of %s: %s", where, file_path, reason)
        skipped.append({"file": file_path, "record": record, "reason": reason})
