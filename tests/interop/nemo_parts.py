"""NeMo Curator pipelines for the interop tests, and their curator_dask twins.

Stages built here live in an importable module (not a test file) so Dask worker processes can
unpickle them; they count their calls across processes in real files (see ``record``). This
module imports ``nemo_curator``: import it only where NeMo Curator is installed.
"""

from __future__ import annotations

import importlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
from nemo_curator.backends.base import NodeInfo, WorkerMetadata
from nemo_curator.backends.utils import RayStageSpecKeys
from nemo_curator.pipeline import Pipeline as NemoPipeline
from nemo_curator.stages.base import ProcessingStage
from nemo_curator.tasks import DocumentBatch, FailedTask

from tests.backends.dask.pipeline_parts import record

STAGE_NAMES = ["jsonl_reader", "add_length", "split_into_rows", "add_length", "stage_with_setup", "jsonl_writer"]

# NeMo Curator's English heuristic cascade (heuristic_filter_english_pipeline.yaml): (module, class,
# keyword arguments), instantiated from either framework's mirrored module.
FILTER_SPECS: list[tuple[str, str, dict[str, Any]]] = [
    ("string", "NonAlphaNumericFilter", {"max_non_alpha_numeric_to_text_ratio": 0.25}),
    ("string", "SymbolsToWordsFilter", {"max_symbol_to_word_ratio": 0.1}),
    ("string", "NumbersFilter", {"max_number_to_text_ratio": 0.15}),
    ("string", "UrlsFilter", {"max_url_to_text_ratio": 0.2}),
    ("string", "WhiteSpaceFilter", {"max_white_space_ratio": 0.25}),
    ("string", "ParenthesesFilter", {"max_parentheses_ratio": 0.1}),
    ("string", "BoilerPlateStringFilter", {"remove_if_at_top_or_bottom": True, "max_boilerplate_string_ratio": 0.4}),
    ("repetition", "RepeatedLinesFilter", {"max_repeated_line_fraction": 0.7}),
    ("repetition", "RepeatedParagraphsFilter", {"max_repeated_paragraphs_ratio": 0.7}),
    ("repetition", "RepeatedLinesByCharFilter", {"max_repeated_lines_char_ratio": 0.8}),
    ("repetition", "RepeatedParagraphsByCharFilter", {"max_repeated_paragraphs_char_ratio": 0.8}),
    ("string", "WordCountFilter", {"min_words": 50, "max_words": 100000}),
    ("string", "PunctuationFilter", {"max_num_sentences_without_endmark_ratio": 0.85}),
    ("string", "WordsWithoutAlphabetsFilter", {"min_words_with_alphabets": 0.8}),
    ("string", "CommonEnglishWordsFilter", {"min_num_common_words": 2, "stop_at_false": True}),
    ("string", "MeanWordLengthFilter", {"max_mean_word_length": 10, "min_mean_word_length": 3}),
    ("string", "LongWordFilter", {"max_word_length": 1000}),
    ("string", "EllipsisFilter", {"max_num_lines_ending_with_ellipsis_ratio": 0.3}),
    ("repetition", "RepeatingTopNGramsFilter", {"n": 2, "max_repeating_ngram_ratio": 0.2}),
    ("repetition", "RepeatingTopNGramsFilter", {"n": 3, "max_repeating_ngram_ratio": 0.18}),
    ("repetition", "RepeatingTopNGramsFilter", {"n": 4, "max_repeating_ngram_ratio": 0.16}),
    *[
        ("repetition", "RepeatingDuplicateNGramsFilter", {"n": n, "max_repeating_duplicate_ngram_ratio": ratio})
        for n, ratio in [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)]
    ],
    ("string", "BulletsFilter", {"max_bullet_lines_ratio": 0.9}),
]


def heuristic_pipeline(framework: str, input_dir: str, output_dir: str, files_per_partition: int = 1) -> Any:
    """JSONL reader, Unicode repair, newline normalisation, the heuristic cascade, JSONL writer.

    Args:
        framework: ``"nemo_curator"`` or ``"curator_dask"``: whose classes (and ``Pipeline``) to use.
        input_dir: folder of JSONL files.
        output_dir: folder the writer writes to.
        files_per_partition: reader partitioning.
    """
    pipeline_mod = importlib.import_module(f"{framework}.pipeline")
    reader = importlib.import_module(f"{framework}.stages.text.io.reader")
    writer = importlib.import_module(f"{framework}.stages.text.io.writer")
    modifiers = importlib.import_module(f"{framework}.stages.text.modifiers")
    unicode_mod = importlib.import_module(f"{framework}.stages.text.modifiers.unicode")
    filters = importlib.import_module(f"{framework}.stages.text.filters")
    stages: list[Any] = [
        reader.JsonlReader(file_paths=input_dir, files_per_partition=files_per_partition),
        modifiers.Modify(unicode_mod.UnicodeReformatter()),
        modifiers.Modify(modifiers.NewlineNormalizer()),
    ]
    for module, cls_name, kwargs in FILTER_SPECS:
        mod = importlib.import_module(f"{framework}.stages.text.filters.heuristic.{module}")
        stages.append(filters.ScoreFilter(getattr(mod, cls_name)(**kwargs)))
    stages.append(writer.JsonlWriter(path=output_dir))
    return pipeline_mod.Pipeline(name=f"heuristic_{framework}", stages=stages)


def read_jsonl_folder(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Every row of every JSONL file under ``folder``, sorted by ``id``."""
    rows = [json.loads(line) for path in sorted(Path(folder).glob("*.jsonl")) for line in path.read_text().splitlines()]
    return pd.DataFrame(rows).sort_values("id").reset_index(drop=True)


# -- NeMo Curator's backend conformance pipeline, built from NeMo Curator's own classes -----------


def _like(task: DocumentBatch, df: pd.DataFrame) -> DocumentBatch:
    """A batch carrying ``df`` and everything else of ``task`` (its id is the framework's to set)."""
    return DocumentBatch(task.dataset_name, df, _metadata=task._metadata, _stage_perf=task._stage_perf)


class AddLength(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Adds ``<column>`` = text length; counts its calls in ``calls_log``."""

    name = "add_length"

    def __init__(self, column: str, calls_log: str) -> None:
        self.column = column
        self.calls_log = calls_log

    def process(self, task: DocumentBatch) -> DocumentBatch:
        with self._time_metric("counter_actor_increment_s"):
            record(self.calls_log, f"add_length_{self.column}")
        with self._time_metric("compute_len_s"):
            df = task.to_pandas()  # NeMo Curator's readers give pyarrow tables
            df[self.column] = df["text"].str.len()
        return _like(task, df)


class SplitIntoRows(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Fans one batch out into single-row batches (keeping metadata and performance records)."""

    name = "split_into_rows"

    def process(self, task: DocumentBatch) -> list[DocumentBatch]:
        start = time.perf_counter()
        df = task.to_pandas()
        out = [
            DocumentBatch(
                dataset_name=task.dataset_name,
                data=df.iloc[[i]].reset_index(drop=True),
                _metadata=dict(task._metadata),
                _stage_perf=list(task._stage_perf),
            )
            for i in range(len(df))
        ]
        self._log_metric("split_into_rows_time_s", time.perf_counter() - start)
        return out


class StageWithSetup(ProcessingStage[DocumentBatch, DocumentBatch]):
    """``setup_on_node`` writes a node-local file; ``setup`` reads it; batches use what it read.

    Both check that they get NeMo Curator's own ``NodeInfo`` / ``WorkerMetadata``.
    """

    name = "stage_with_setup"

    def __init__(self, shared_dir: str, events_log: str) -> None:
        self.shared_dir = shared_dir
        self.events_log = events_log
        self.random_string: str | None = None
        self.node_id: str | None = None

    def _node_file(self, node_id: str) -> Path:
        return Path(self.shared_dir) / f"node-{node_id}.txt"

    def setup_on_node(self, node_info: NodeInfo | None = None, worker_metadata: WorkerMetadata | None = None) -> None:
        assert isinstance(node_info, NodeInfo) and node_info.node_id
        assert isinstance(worker_metadata, WorkerMetadata)
        record(self.events_log, f"setup_on_node {node_info.node_id} {os.getpid()}")
        self._node_file(node_info.node_id).write_text(uuid.uuid4().hex)

    def setup(self, worker_metadata: WorkerMetadata | None = None) -> None:
        assert isinstance(worker_metadata, WorkerMetadata) and worker_metadata.worker_id
        node_id = worker_metadata.allocation["node_id"]
        self.random_string = self._node_file(node_id).read_text()  # must exist: node setup ran first
        self.node_id = node_id
        record(self.events_log, f"setup {worker_metadata.worker_id} {node_id}")

    def teardown(self) -> None:
        record(self.events_log, f"teardown {self.node_id}")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        assert self.random_string, "process ran on a copy that was not set up"
        df = task.to_pandas()
        df["node_id"] = self.node_id
        df["random_string"] = self.random_string
        return _like(task, df)


def conformance_pipeline(framework: str, input_dir: Path, root: Path, files_per_partition: int = 2) -> Any:
    """The seven-stage conformance pipeline of CONTRACT.md from ``framework``'s classes.

    Reads ``input_dir``; writes ``root/output`` and its call and event logs under ``root``.
    """
    calls, events = str(root / "calls.log"), str(root / "events.log")
    reader = importlib.import_module(f"{framework}.stages.text.io.reader")
    writer = importlib.import_module(f"{framework}.stages.text.io.writer")
    if framework == "nemo_curator":
        middle = [AddLength("doc_length_1", calls), SplitIntoRows(), AddLength("doc_length_2", calls)]
        middle.append(StageWithSetup(str(root), events))
    else:
        from tests.backends.dask import pipeline_parts as ours

        middle = [ours.AddLength("doc_length_1", calls), ours.SplitIntoRows(), ours.AddLength("doc_length_2", calls)]
        middle.append(ours.StageWithSetup(str(root), events))
    pipeline_mod = importlib.import_module(f"{framework}.pipeline")
    return pipeline_mod.Pipeline(
        name=f"conformance_{framework}",
        stages=[
            reader.JsonlReader(file_paths=str(input_dir), files_per_partition=files_per_partition),
            *middle,
            writer.JsonlWriter(path=str(root / "output")),
        ],
    )


# -- failure handling and refusals ------------------------------------------------------------


class FailSome(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Returns a ``FailedTask`` (``mode="sentinel"``) or raises (``mode="raise"``) for ``bad_ids``."""

    name = "fail_some"

    def __init__(self, bad_ids: set[str], mode: str = "sentinel") -> None:
        self.bad_ids = bad_ids
        self.mode = mode

    def process(self, task: DocumentBatch) -> DocumentBatch | FailedTask:
        bad = set(task.to_pandas()["id"]) & self.bad_ids
        if bad and self.mode == "raise":
            raise ValueError(f"cannot handle documents {sorted(bad)}")
        return FailedTask() if bad else task


class ShuffleLike(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Marked like NeMo Curator's rapidsmpf ``ShuffleStage`` (which needs cudf to import)."""

    name = "shuffle_like"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        raise NotImplementedError("served by an actor on Ray")

    def ray_stage_spec(self) -> dict[str, Any]:
        return {RayStageSpecKeys.IS_SHUFFLE_STAGE: True}


def nemo_pipeline(*stages: Any) -> NemoPipeline:
    """A NeMo Curator ``Pipeline`` of ``stages``."""
    return NemoPipeline(name="interop", stages=list(stages))
