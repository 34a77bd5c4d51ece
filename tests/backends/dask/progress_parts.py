"""A small reader -> filter -> writer pipeline whose progress the display tests watch.

Run as a program it is the driver the pseudo-terminal test starts:
``python progress_parts.py <scheduler address> <input dir> <output dir> <mode> <interval>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.backends.dask.pipeline_parts import write_jsonl_inputs

FILES, DOCS = 20, 340  # documents of 1 to 17 words; 9 in 17 have at least MIN_WORDS
MIN_WORDS = 9
KEPT_LINE = "kept 180 of 340 documents (52.9%)"
CHAIN = "jsonl_reader+word_count+jsonl_writer"  # the fused chain after file_partitioning


def write_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl_inputs(folder, FILES, DOCS)
    return folder


def pipeline(input_dir: str | Path, output_dir: str | Path) -> Any:
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.filters import ScoreFilter
    from curator_dask.stages.text.filters.heuristic.string import WordCountFilter
    from curator_dask.stages.text.io.reader import JsonlReader
    from curator_dask.stages.text.io.writer import JsonlWriter

    stages = [
        JsonlReader(file_paths=str(input_dir), files_per_partition=1),
        ScoreFilter(WordCountFilter(min_words=MIN_WORDS)),
        JsonlWriter(path=str(output_dir)),
    ]
    return Pipeline("progress", stages=stages)


if __name__ == "__main__":
    import sys

    from curator_dask.backends.dask import DaskExecutor

    address, input_dir, output_dir, mode, interval = sys.argv[1:6]
    config = {"progress": mode, "progress_interval": float(interval)}
    pipeline(input_dir, output_dir).run(DaskExecutor(address=address, config=config))
