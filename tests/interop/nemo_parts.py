"""NeMo Curator pipelines for the interop tests, and their curator_dask twins.

Stages built here live in an importable module (not a test file) so Dask worker processes can
unpickle them. This is the NeMo Curator parts module of the conformance suite
(``tests/backends/dask/test_conformance.py``): the same names as ``pipeline_parts``, on NeMo
Curator's classes. It imports ``nemo_curator``: import it only where NeMo Curator is installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from nemo_curator.backends.base import NodeInfo, WorkerMetadata
from nemo_curator.backends.utils import RayStageSpecKeys
from nemo_curator.pipeline import Pipeline as NemoPipeline
from nemo_curator.stages.base import ProcessingStage
from nemo_curator.tasks import DocumentBatch, FailedTask

from tests.backends.dask import pipeline_parts as parts
from tests.backends.dask.pipeline_parts import read_jsonl_folder

__all__ = [  # read_jsonl_folder lives in pipeline_parts now; benchmarks/nemo_executors.py imports it from here
    "FILTER_SPECS",
    "AddLength",
    "FailSome",
    "ShuffleLike",
    "SplitIntoRows",
    "StageWithSetup",
    "heuristic_pipeline",
    "nemo_pipeline",
    "read_jsonl_folder",
]

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


# -- NeMo Curator's backend conformance pipeline: the shared stage logic on NeMo Curator's classes ---


class AddLength(parts.AddLengthLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``AddLengthLogic`` as a NeMo Curator stage."""


class SplitIntoRows(parts.SplitIntoRowsLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``SplitIntoRowsLogic`` as a NeMo Curator stage."""


class StageWithSetup(parts.StageWithSetupLogic, ProcessingStage[DocumentBatch, DocumentBatch]):
    """``StageWithSetupLogic`` as a NeMo Curator stage: its hooks must get NeMo Curator's types."""

    node_info_type = NodeInfo
    worker_metadata_type = WorkerMetadata


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
