"""The English heuristic curation pipeline: read JSONL, clean, identify language, filter, write.

The filter cascade is NeMo Curator's English heuristic configuration (28 ``ScoreFilter`` stages,
same classes, parameters and order), preceded by Unicode repair and an English language filter.
"""

from __future__ import annotations

import itertools
from typing import Any

from curator_dask.metrics.run_result import RunResult
from curator_dask.pipeline import Pipeline
from curator_dask.stages import ProcessingStage
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.heuristic import repetition as rep
from curator_dask.stages.text.filters.heuristic import string as st
from curator_dask.stages.text.filters.langid import LangIdFilter
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import ParquetWriter
from curator_dask.stages.text.modifiers import Modify, UnicodeReformatter

__all__ = ["english_heuristic_filters", "heuristic_english_pipeline", "removal_summary"]


def english_heuristic_filters() -> list[Any]:
    """The 28 filters of NeMo Curator's ``heuristic_filter_english_pipeline.yaml``, in its order."""
    return [
        st.NonAlphaNumericFilter(max_non_alpha_numeric_to_text_ratio=0.25),
        st.SymbolsToWordsFilter(max_symbol_to_word_ratio=0.1),
        st.NumbersFilter(max_number_to_text_ratio=0.15),
        st.UrlsFilter(max_url_to_text_ratio=0.2),
        st.WhiteSpaceFilter(max_white_space_ratio=0.25),
        st.ParenthesesFilter(max_parentheses_ratio=0.1),
        st.BoilerPlateStringFilter(remove_if_at_top_or_bottom=True, max_boilerplate_string_ratio=0.4),
        rep.RepeatedLinesFilter(max_repeated_line_fraction=0.7),
        rep.RepeatedParagraphsFilter(max_repeated_paragraphs_ratio=0.7),
        rep.RepeatedLinesByCharFilter(max_repeated_lines_char_ratio=0.8),
        rep.RepeatedParagraphsByCharFilter(max_repeated_paragraphs_char_ratio=0.8),
        st.WordCountFilter(min_words=50, max_words=100000),
        st.PunctuationFilter(max_num_sentences_without_endmark_ratio=0.85),
        st.WordsWithoutAlphabetsFilter(min_words_with_alphabets=0.8),
        st.CommonEnglishWordsFilter(min_num_common_words=2, stop_at_false=True),
        st.MeanWordLengthFilter(max_mean_word_length=10, min_mean_word_length=3),
        st.LongWordFilter(max_word_length=1000),
        st.EllipsisFilter(max_num_lines_ending_with_ellipsis_ratio=0.3),
        rep.RepeatingTopNGramsFilter(n=2, max_repeating_ngram_ratio=0.2),
        rep.RepeatingTopNGramsFilter(n=3, max_repeating_ngram_ratio=0.18),
        rep.RepeatingTopNGramsFilter(n=4, max_repeating_ngram_ratio=0.16),
        *[
            rep.RepeatingDuplicateNGramsFilter(n=n, max_repeating_duplicate_ngram_ratio=ratio)
            for n, ratio in [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)]
        ],
        st.BulletsFilter(max_bullet_lines_ratio=0.9),
    ]


def heuristic_english_pipeline(
    input_path: str,
    output_path: str,
    text_field: str = "text",
    files_per_partition: int | None = 1,
    language: str | None = "en",
) -> Pipeline:
    """Read JSONL from ``input_path``, curate, and write Parquet to ``output_path``."""
    stages: list[ProcessingStage] = [
        JsonlReader(file_paths=input_path, files_per_partition=files_per_partition),
        Modify(UnicodeReformatter(), input_fields=text_field),
    ]
    if language:
        stages.append(ScoreFilter(LangIdFilter(lang=language), text_field=text_field))
    stages += [ScoreFilter(f, text_field=text_field) for f in english_heuristic_filters()]
    stages.append(ParquetWriter(path=output_path, mode="overwrite"))
    return Pipeline("heuristic_english", "English heuristic curation (NeMo Curator's cascade)", stages)


def removal_summary(result: RunResult) -> str:
    """A table of documents read, removed by each filter stage, and kept."""
    stages = result.stages
    lines = [f"{'stage':<40} {'docs in':>10} {'removed':>10}"]
    for here, after in itertools.pairwise(stages):
        if here.name in ("file_partitioning",):
            continue
        removed = here.items_in - after.items_in if here.name != "jsonl_reader" else 0
        lines.append(f"{here.name:<40} {here.items_in:>10} {removed:>10}")
    read = next((s.items_in for s in stages if s.name.endswith("_writer")), 0)
    first = next((s.items_in for s in stages if s.name not in ("file_partitioning", "jsonl_reader")), 0)
    lines.append(f"documents read: {first}   kept: {read}   removed: {first - read}   ({result.wall_time:.1f} s)")
    return "\n".join(lines)
