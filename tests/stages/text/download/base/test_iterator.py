"""The iterate-extract stage: counted skips, record limits, file names and the per-record time limit."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.text.download.base import DocumentExtractor, DocumentIterateExtractStage, DocumentIterator
from curator_dask.stages.text.download.base._time_limit import TimeLimitedExtractor
from curator_dask.stages.text.download.base.iterator import SkippedRecord
from curator_dask.tasks import FileGroupTask


class LineIterator(DocumentIterator):
    """One record per line; a line reading ``BAD`` is a record it cannot read, ``STOP`` breaks the file."""

    def iterate(self, file_path: str) -> Iterator[dict[str, Any] | SkippedRecord]:  # type: ignore[override]
        for number, line in enumerate(Path(file_path).read_text().splitlines()):
            if line == "BAD":
                yield SkippedRecord("unreadable line")
            elif line == "STOP":
                raise OSError("disk went away")
            else:
                yield {"id": number, "raw": line}

    def output_columns(self) -> list[str]:
        return ["id", "raw"]


class Upper(DocumentExtractor):
    """Upper-cases ``raw``; drops empty lines; ``boom`` raises; ``slow`` backtracks for minutes in C code."""

    def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if record["raw"] == "boom":
            raise ValueError("cannot parse")
        if record["raw"] == "slow":
            re.match(r"(a+)+$", "a" * 40 + "b")  # exponential backtracking inside the re engine
        if not record["raw"]:
            return None
        return {"id": record["id"], "text": record["raw"].upper()}

    def input_columns(self) -> list[str]:
        return ["id", "raw"]

    def output_columns(self) -> list[str]:
        return ["id", "text"]


def _file(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_documents_carry_the_file_name_and_bad_records_are_counted(tmp_path: Path):
    a = _file(tmp_path, "a.txt", ["one", "BAD", "", "boom", "two"])
    b = _file(tmp_path, "b.txt", ["three", "STOP", "never"])
    stage = DocumentIterateExtractStage(LineIterator(), Upper())
    batch = stage.process(FileGroupTask(dataset_name="d", data=[a, b]))
    assert batch.to_pandas().to_dict("records") == [
        {"id": 0, "text": "ONE", "file_name": "a.txt"},
        {"id": 4, "text": "TWO", "file_name": "a.txt"},
        {"id": 0, "text": "THREE", "file_name": "b.txt"},
    ]
    assert [(s["file"], s["record"]) for s in batch._metadata["skipped"]] == [(a, 1), (a, 3), (b, None)]
    assert batch._metadata["skipped"][1]["reason"] == "extraction raised ValueError('cannot parse')"
    assert batch._metadata["skipped"][2]["reason"] == "reading stopped after record 1: OSError('disk went away')"
    assert stage._consume_custom_metrics() == {"skipped_records": 2.0, "skipped_files": 1.0}
    assert stage.name == "iterate_extract_lineiterator_upper"


def test_on_error_raise_names_the_file_and_record(tmp_path: Path):
    a = _file(tmp_path, "a.txt", ["one", "BAD"])
    stage = DocumentIterateExtractStage(LineIterator(), Upper(), on_error="raise")
    with pytest.raises(BadInputError, match=r"a\.txt: record 1: unreadable line\. Fix: pass on_error='skip'"):
        stage.process(FileGroupTask(dataset_name="d", data=[a]))


def test_record_limit_and_a_custom_file_name_column(tmp_path: Path):
    a = _file(tmp_path, "a.txt", ["one", "", "two", "three"])
    stage = DocumentIterateExtractStage(LineIterator(), Upper(), record_limit=2, add_filename_column="src")
    frame = stage.process(FileGroupTask(dataset_name="d", data=[a])).to_pandas()
    assert frame["text"].tolist() == ["ONE", "TWO"] and frame["src"].tolist() == ["a.txt", "a.txt"]
    assert stage.outputs() == (["data"], ["id", "text", "src"])


def test_no_extractor_and_no_records_give_an_empty_batch_with_the_columns(tmp_path: Path):
    empty = _file(tmp_path, "e.txt", ["BAD"])
    stage = DocumentIterateExtractStage(LineIterator(), add_filename_column=False)
    frame = stage.process(FileGroupTask(dataset_name="d", data=[empty])).to_pandas()
    assert list(frame.columns) == ["id", "raw"] and len(frame) == 0
    assert stage.name == "iterate_lineiterator"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"add_filename_column": 3}, "add_filename_column must be True, False or a column name, got 3"),
        ({"on_error": "warn"}, "on_error must be 'raise' or 'skip', got 'warn'"),
        ({"record_limit": -1}, "record_limit must be a non-negative int or None, got -1"),
        ({"extract_timeout_s": 0}, "extract_timeout_s must be a positive number of seconds or None, got 0"),
    ],
)
def test_settings_are_checked(kwargs: dict[str, Any], message: str):
    with pytest.raises(ConfigError, match=re.escape(message)):
        DocumentIterateExtractStage(LineIterator(), Upper(), **kwargs)


def test_the_time_limit_stops_a_page_stuck_in_c_code_and_the_next_record_still_extracts(tmp_path: Path):
    a = _file(tmp_path, "a.txt", ["one", "slow", "two"])
    stage = DocumentIterateExtractStage(LineIterator(), Upper(), extract_timeout_s=0.5)
    stage.setup()
    started = time.perf_counter()
    batch = stage.process(FileGroupTask(dataset_name="d", data=[a]))
    assert time.perf_counter() - started < 20  # the regex alone would run for hours
    stage.teardown()
    assert batch.to_pandas()["text"].tolist() == ["ONE", "TWO"]
    (skip,) = batch._metadata["skipped"]
    assert (skip["record"], skip["reason"]) == (1, "extraction took longer than extract_timeout_s=0.5s and was stopped")
    assert stage._consume_custom_metrics()["timed_out_records"] == 1.0


def test_the_signal_mode_stops_python_code_in_the_main_thread():
    class Spin(Upper):
        def extract(self, record: dict[str, Any]) -> dict[str, Any] | None:
            while record["raw"] == "spin":
                pass
            return super().extract(record)

    limited = TimeLimitedExtractor(Spin(), 0.2, mode="signal")
    with pytest.raises(TimeoutError):
        limited.extract({"id": 0, "raw": "spin"})
    assert limited.extract({"id": 1, "raw": "ok"}) == {"id": 1, "text": "OK"}


def test_errors_raised_in_the_child_process_come_back():
    limited = TimeLimitedExtractor(Upper(), 5.0)
    try:
        with pytest.raises(ValueError, match="cannot parse"):
            limited.extract({"id": 0, "raw": "boom"})
        assert limited.extract({"id": 1, "raw": "ok"}) == {"id": 1, "text": "OK"}
    finally:
        limited.close()
