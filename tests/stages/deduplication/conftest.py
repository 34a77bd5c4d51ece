"""Fixtures of the dedup tests: the dataframe backend (pandas; cudf where a GPU is present)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest


@pytest.fixture(params=["pandas", pytest.param("cudf", marks=pytest.mark.gpu)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each test body runs on pandas partitions and, with a GPU, on cudf partitions."""
    return str(request.param)


def collection(df: pd.DataFrame, npartitions: int, backend: str, stage: Any = None) -> Any:
    """``df`` as a dask collection of ``npartitions`` partitions of the given backend.

    With a ``stage``, built under its ``collection_options()``, as the executor lifts documents
    (Dask's default string conversion would otherwise turn object columns into strings first).
    """
    import dask
    import dask.dataframe as dd

    with dask.config.set(stage.collection_options() if stage is not None else {}):
        frames = dd.from_pandas(df, npartitions=npartitions, sort=False)
    return frames.to_backend("cudf") if backend == "cudf" else frames


def host(frame: Any) -> pd.DataFrame:
    """A computed collection (pandas or cudf) as pandas."""
    return frame.to_pandas() if hasattr(frame, "to_pandas") else frame


def identify(stage: Any, frames: Any) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run a dedup collection stage as the executor would; its output as pandas, and its metrics."""
    import dask

    with dask.config.set(stage.collection_options()):
        out = host(stage.process_collection(frames).compute())
    return out.reset_index(drop=True), stage._consume_custom_metrics()


def read_jsonl(paths: list[str]) -> list[dict[str, Any]]:
    """The records of JSONL files written by a workflow (blank lines of empty files skipped)."""
    import json
    from pathlib import Path

    return [json.loads(line) for path in paths for line in Path(path).read_text().splitlines() if line.strip()]
