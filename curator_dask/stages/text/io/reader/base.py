"""What the JSONL and Parquet readers share: skip accounting, field selection, the composite.

A reader stage turns one ``FileGroupTask`` into one ``DocumentBatch`` holding the rows of all
its files. Bad input never disappears quietly: with ``on_error="raise"`` (the default) the first
bad file or record raises ``BadInputError`` (an ``InputError``) naming the file, the line where
there is one, and the fix; with ``on_error="skip"`` it is left out and recorded in
``_metadata["skipped"]`` as ``{"file", "line", "reason"}`` (``line`` is ``None`` for a whole
file) and counted in the custom metrics ``skipped_records`` and ``skipped_files``.

Bad files are: missing ones, links that loop, unreadable or corrupt ones, ones holding none of
``fields`` (for Parquet, ones lacking any of them, as in NeMo Curator), ones with a text column
that is not UTF-8, and ones whose column types clash with an earlier file of the group (``_checks``
says which types unify). A file without records is not bad by itself; as in NeMo Curator, a task
whose files hold no records at all raises ``InputError`` ("No data read from files in task ...", a
``ValueError``) unless ``allow_empty=True``, or unless some of its files were skipped under
``on_error="skip"`` (the skip records say why the batch is empty). A compressed JSONL file cut
short after some lines keeps those lines under ``"skip"`` and gets a whole-file record saying where
it broke off (see ``jsonl``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pandas as pd
import pyarrow as pa

from curator_dask.errors import BadInputError, ConfigError, InputError, StageSetupError
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.file_partitioning import FILETYPE_TO_DEFAULT_EXTENSIONS, FilePartitioningStage
from curator_dask.stages.text.io.reader._checks import (
    SKIP_HINT,
    Part,
    SkipLog,
    consistent_parts,
    decode_columns,
    reported,
)
from curator_dask.tasks import DocumentBatch, EmptyTask, FileGroupTask

if TYPE_CHECKING:
    from curator_dask.backends.base import WorkerMetadata

__all__ = ["SKIP_HINT", "BaseReader", "BaseReaderComposite", "Part", "SkipLog"]

logger = logging.getLogger(__name__)


@dataclass
class BaseReader(ProcessingStage[FileGroupTask, DocumentBatch]):
    """Base of the reader stages: reads each file of a group and concatenates the rows.

    Args:
        fields: keep only these columns; a JSONL file with some of them missing is read with
            a warning, one with none of them is bad input; a Parquet file lacking any of them is
            bad input (``MissingFieldsError``, also a ``pyarrow.ArrowInvalid``), as in NeMo Curator.
        read_kwargs: format options (see the subclass); ``storage_options`` go to fsspec and
            ``dtype_backend`` (``"pyarrow"`` or ``"numpy_nullable"``) picks pandas dtypes.
        on_error: ``"raise"`` or ``"skip"`` (see the module docstring).
        allow_empty: hand on an empty batch when the task's files hold no records at all,
            instead of raising ``InputError`` ("No data read from files in task ...").
        _generate_ids: add ``_curator_dedup_id`` (``id_generator``: the same files always get
            the same ids, without an actor).
        _assign_ids: add the ``_curator_dedup_id`` range the id generator holds for the files
            (``create_id_generator_actor(path)`` before the run).
    """

    fields: list[str] | None = None
    read_kwargs: dict[str, Any] = field(default_factory=dict)
    on_error: Literal["raise", "skip"] = "raise"
    allow_empty: bool = False
    name: str = ""
    _generate_ids: bool = False
    _assign_ids: bool = False

    default_dtype_backend: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        if self.on_error not in ("raise", "skip"):
            msg = f"on_error must be 'raise' or 'skip', got {self.on_error!r}"
            raise ValueError(msg)
        if self._generate_ids and self._assign_ids:
            msg = "Cannot generate and assign IDs at the same time: pass _generate_ids=True or _assign_ids=True"
            raise ConfigError(msg)
        self.read_kwargs = dict(self.read_kwargs or {})
        backend = self.read_kwargs.get("dtype_backend", "numpy")
        if backend not in ("numpy", "numpy_nullable", "pyarrow"):
            msg = f"dtype_backend must be 'numpy', 'numpy_nullable' or 'pyarrow', got {backend!r}"
            raise ValueError(msg)

    def outputs(self) -> tuple[list[str], list[str]]:
        from curator_dask.stages.deduplication.id_generator import CURATOR_DEDUP_ID_STR

        ids = [CURATOR_DEDUP_ID_STR] if self._generate_ids or self._assign_ids else []
        return ["data"], list(self.fields or []) + ids

    def __getstate__(self) -> dict[str, Any]:
        # The driver's id generator travels with the stage to the workers (there is no actor to find).
        from curator_dask.stages.deduplication.id_generator import active_generator

        state = dict(self.__dict__)
        if (self._generate_ids or self._assign_ids) and state.get("id_generator") is None:
            state["id_generator"] = active_generator()
        return state

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        """Check, before any file is read, that ``_assign_ids`` has an id generator to look ids up in.

        Raises:
            StageSetupError: (a ``RuntimeError``, as NeMo Curator raises here) when none exists.
        """
        from curator_dask.stages.deduplication.id_generator import active_generator

        if self._assign_ids and self.__dict__.get("id_generator") is None and active_generator() is None:
            msg = (
                f"{type(self).__name__}(_assign_ids=True) needs an id generator to look the files' ids up in, "
                "and none exists (NeMo Curator: the actor 'id_generator' does not exist). Fix: call "
                "curator_dask.stages.deduplication.id_generator.create_id_generator_actor(<the JSON file the "
                "identification run wrote>) before building and running the pipeline."
            )
            raise StageSetupError(msg)

    # -- what a format implements -------------------------------------------------------------
    def read_file(self, path: str, options: dict[str, Any], log: SkipLog) -> Part:
        """The rows of one file; raise ``BadInputError`` for a bad file, report bad records to ``log``."""
        raise NotImplementedError

    def readable_files(self, paths: list[str], options: dict[str, Any], log: SkipLog) -> list[str]:
        """The files of a group worth reading; a format checks the group as a whole here."""
        return paths

    # -- the shared mechanics -----------------------------------------------------------------
    def process(self, task: FileGroupTask) -> DocumentBatch:
        log = SkipLog(self.on_error)
        options = dict(self.read_kwargs)
        if "storage_options" not in options and task.reader_config.get("storage_options"):
            options["storage_options"] = task.reader_config["storage_options"]
        named: list[tuple[str, Part]] = []
        for path in self.readable_files(list(task.data), options, log):
            with reported(path, log):
                named.append((path, self._checked(path, self.read_file(path, options, log))))
        parts = consistent_parts(named, log)
        metadata = dict(task._metadata)
        if self.on_error == "skip":
            metadata["skipped"] = log.records
            lines = sum(1 for r in log.records if r["line"] is not None)
            self._add_metric("skipped_records", lines)
            self._add_metric("skipped_files", len(log.records) - lines)
        data = self._combine(parts, options.get("dtype_backend", self.default_dtype_backend))
        if len(data) == 0 and not self.allow_empty and not log.records:
            _raise_no_data(task)
        if self._generate_ids or self._assign_ids:
            # imported here: stages.deduplication imports the readers
            from curator_dask.stages.deduplication.id_generator import active_generator, add_ids

            generator = self.__dict__.get("id_generator") or active_generator()
            add_ids(data, list(task.data), self._generate_ids, generator)
        # A new batch, so the performance list starts empty: the partitioning record stays behind.
        return DocumentBatch(dataset_name=task.dataset_name, data=data, _metadata=metadata)

    def _checked(self, path: str, part: Part) -> Part:
        if self.fields is not None and len(part.columns) > 0:
            part = _select_fields(path, part, self.fields)
        if isinstance(part, pa.Table):
            part = decode_columns(path, part)
        return part

    def _combine(self, parts: list[Part], dtype_backend: str | None) -> pd.DataFrame:
        if not parts:
            return pd.DataFrame(columns=list(self.fields or []))
        if all(isinstance(p, pa.Table) for p in parts):
            # consistent_parts left only types that unify without changing a value.
            return _to_pandas(pa.concat_tables(parts, promote_options="permissive"), dtype_backend)
        frames = [_to_pandas(p, dtype_backend) for p in parts]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def _add_metric(self, name: str, value: float) -> None:
        # _log_metric keeps the last value; a batch of several tasks must add theirs up.
        self._log_metric(name, self.__dict__.get("_custom_metrics", {}).get(name, 0.0) + value)


def _raise_no_data(task: FileGroupTask) -> None:
    # NeMo Curator's check and wording: a task whose files hold no rows at all is an error,
    # while an empty file among others is not (it loses nothing).
    msg = (
        f"No data read from files in task {task.task_id}: {list(task.data)} hold no records. Fix: remove "
        "the empty files, or pass allow_empty=True to the reader stage to hand an empty batch on."
    )
    raise InputError(msg)


def _select_fields(path: str, part: Part, fields: list[str]) -> Part:
    names = [str(c) for c in (part.column_names if isinstance(part, pa.Table) else part.columns)]
    present = [f for f in fields if f in names]
    if not present:
        reason = f"none of the requested fields {fields} is in the file (it has {names})"
        raise BadInputError(path, reason, fix=f"correct the reader's fields=, {SKIP_HINT}")
    if len(present) < len(fields):
        logger.warning("%s lacks fields %s", path, [f for f in fields if f not in names])
    return part.select(present) if isinstance(part, pa.Table) else part[present]


def _to_pandas(part: Part, dtype_backend: str | None) -> pd.DataFrame:
    if isinstance(part, pa.Table):
        mapper = pd.ArrowDtype if dtype_backend == "pyarrow" else None
        frame = part.to_pandas(types_mapper=mapper).reset_index(drop=True)
        if dtype_backend == "numpy_nullable":
            frame = frame.convert_dtypes(dtype_backend="numpy_nullable")
        return frame
    if dtype_backend in ("pyarrow", "numpy_nullable"):
        return part.convert_dtypes(dtype_backend=dtype_backend)
    return part


@dataclass
class BaseReaderComposite(CompositeStage[EmptyTask, DocumentBatch]):
    """Base of ``JsonlReader`` and ``ParquetReader``: a partitioning stage, then a reader stage.

    Args:
        file_paths: a directory, a glob, a file or a list of them; local or fsspec URLs. Local
            paths are made absolute when the reader is built (nothing is listed until it runs).
        files_per_partition: files per reader task (one when neither this nor ``blocksize`` is set).
        blocksize: target compressed size per reader task (int bytes or e.g. ``"1GiB"``).
        fields: keep only these columns.
        read_kwargs: format options; ``storage_options`` also reach the file listing.
        task_type: only ``"document"`` is supported, as in NeMo Curator.
        file_extensions: which files to read; defaults per format.
        on_error: ``"raise"`` (default) or ``"skip"``: bad records and files are left out and counted.
        _generate_ids / _assign_ids: add ``_curator_dedup_id`` (see ``BaseReader``).
    """

    file_paths: str | list[str]
    files_per_partition: int | None = None
    blocksize: int | str | None = None
    fields: list[str] | None = None
    read_kwargs: dict[str, Any] | None = None
    task_type: Literal["document", "image", "video", "audio"] = "document"
    file_extensions: list[str] | None = None
    on_error: Literal["raise", "skip"] = "raise"
    _generate_ids: bool = False
    _assign_ids: bool = False
    name: str = ""

    reader_class: ClassVar[type[BaseReader]]
    file_type: ClassVar[str]  # a key of FILETYPE_TO_DEFAULT_EXTENSIONS
    format_label: ClassVar[str]

    def __post_init__(self) -> None:
        self.name = self.name or self.reader_class.name
        if self.file_extensions is None:
            self.file_extensions = list(FILETYPE_TO_DEFAULT_EXTENSIONS[self.file_type])
        self.read_kwargs = dict(self.read_kwargs or {})
        # Bad options fail here, where the user wrote them, not on a worker; the stages check
        # them (each in one place) and make local paths absolute, without touching the files.
        self.file_paths = self._partitioning_stage().file_paths
        self._reader_stage()

    def decompose(self) -> list[ProcessingStage]:
        if self.task_type != "document":
            msg = f"Converting DocumentBatch to {self.task_type} is not supported yet."
            raise NotImplementedError(msg)
        return [self._partitioning_stage(), self._reader_stage()]

    def _partitioning_stage(self) -> FilePartitioningStage:
        return FilePartitioningStage(
            file_paths=self.file_paths,
            files_per_partition=self.files_per_partition,
            blocksize=self.blocksize,
            file_extensions=self.file_extensions,
            storage_options=(self.read_kwargs or {}).get("storage_options"),
        )

    def _reader_stage(self) -> BaseReader:
        return self.reader_class(
            fields=self.fields,
            read_kwargs=dict(self.read_kwargs or {}),
            on_error=self.on_error,
            _generate_ids=self._generate_ids,
            _assign_ids=self._assign_ids,
        )

    def get_description(self) -> str:
        parts = [f"Read {self.format_label} files from {self.file_paths}"]
        if self.files_per_partition:
            parts.append(f"with {self.files_per_partition} files per partition")
        elif self.blocksize:
            parts.append(f"with target blocksize {self.blocksize}")
        if self.fields:
            parts.append(f"reading columns: {self.fields}")
        return ", ".join(parts)
