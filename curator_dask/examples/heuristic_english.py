"""The English heuristic curation pipeline (the main job), built from its packaged YAML file.

The pipeline is written once, in ``curator_dask/config/pipelines/heuristic_english.yaml``: read
JSONL, repair Unicode, keep English, apply NeMo Curator's 28 English heuristic filters (the
classes, parameters and order of its ``heuristic_filter_english_pipeline.yaml``), write Parquet.
``curator-dask run heuristic_english ...`` runs that file; the functions here build the same
stages from it in Python, so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from typing import Any

from curator_dask.config import ConfigError, load_pipeline_config
from curator_dask.config.instantiate import instantiate
from curator_dask.config.loader import PIPELINES_DIR
from curator_dask.config.values import interpolate, read_yaml
from curator_dask.metrics.run_result import RunResult
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.filters import DocumentFilter
from curator_dask.stages.text.filters.langid import LangIdFilter

__all__ = ["PIPELINE", "english_heuristic_filters", "heuristic_english_pipeline", "removal_summary"]

# The packaged file itself, by path: a file named "heuristic_english" in the working directory
# would win a look-up by name.
PIPELINE = PIPELINES_DIR / "heuristic_english.yaml"


def _is_path(value: object) -> bool:
    return isinstance(value, str | os.PathLike) and os.fspath(value) != ""


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


# What each argument may be: checked here, so that a wrong one is named before any stage is built.
_ALLOWED: dict[str, tuple[Callable[[Any], bool], str]] = {
    "input_path": (_is_path, "a JSONL file or folder (a non-empty str or os.PathLike)"),
    "output_path": (_is_path, "a folder (a non-empty str or os.PathLike)"),
    "text_field": (lambda v: isinstance(v, str) and v != "", "a column name (a non-empty str)"),
    "files_per_partition": (lambda v: v is None or _is_whole(v), "a whole number >= 1, or None to group by size"),
    "language": (lambda v: v is None or (isinstance(v, str) and v != ""), "a code such as 'en', or None for any"),
}


def heuristic_english_pipeline(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    text_field: str = "text",
    files_per_partition: int | None = 1,
    language: str | None = "en",
) -> Pipeline:
    """The packaged pipeline with these values: what ``curator-dask run heuristic_english`` runs.

    The arguments are the YAML file's top-level values, and mean what they mean there.

    Args:
        input_path: a JSONL file or a folder of them.
        output_path: the folder the Parquet files are written to (``mode="overwrite"``).
        text_field: the text column.
        files_per_partition: JSONL files per batch; None lets the reader group files by size.
        language: the language to keep (a code such as ``"en"``); None keeps every language the
            identifier is confident of (``language=null`` on the command line).

    Raises:
        ConfigError: naming the argument that is not one of the allowed values.
    """
    values = {
        "input_path": input_path,
        "output_path": output_path,
        "text_field": text_field,
        "files_per_partition": files_per_partition,
        "language": language,
    }
    for key, value in values.items():
        allowed, expected = _ALLOWED[key]
        if not allowed(value):
            raise ConfigError(f"heuristic_english_pipeline({key}={value!r}): {key} must be {expected}")
    values["input_path"], values["output_path"] = os.fspath(input_path), os.fspath(output_path)
    # Overrides are read as YAML; JSON is YAML, so each value arrives exactly as given (a path
    # holding ": " or " #" stays a string, None becomes null).
    overrides = [f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    return load_pipeline_config(PIPELINE, overrides).pipeline()


def english_heuristic_filters() -> list[DocumentFilter]:
    """New instances of the packaged pipeline's 28 heuristic filters, in its order.

    These are the ``filter_obj`` of its ``ScoreFilter`` stages, language identification left out.
    Only those entries are built: building the whole pipeline would also build its writer, whose
    ``mode="overwrite"`` acts on the output folder.
    """
    values = read_yaml(PIPELINE)
    nodes = [entry["filter_obj"] for entry in values["stages"] if isinstance(entry, dict) and "filter_obj" in entry]
    resolved = interpolate({**values, "__filters__": nodes}, keys=["__filters__"])["__filters__"]
    filters = instantiate(resolved, f"{PIPELINE.name}: filter_obj")
    return [f for f in filters if not isinstance(f, LangIdFilter)]


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

