"""Relative paths become absolute on the client; local input paths are checked before a run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curator_dask.config import load_pipeline_config
from curator_dask.config.paths import absolute_override, absolute_paths, check_input_paths, is_path_key
from curator_dask.errors import InputError
from curator_dask.stages.text.io.reader import JsonlReader

PIPELINE = """
input_path: ???
output_path: ???
shared_dir: shared
events_log: ${shared_dir}/events.log
text_field: content
stages:
  - _target_: curator_dask.stages.text.io.reader.JsonlReader
    file_paths: ["${input_path}", extra/more.jsonl, "s3://bucket/x.jsonl"]
  - _target_: tests.backends.dask.pipeline_parts.StageWithSetup
    shared_dir: ${shared_dir}
    events_log: ${events_log}
  - _target_: curator_dask.stages.text.io.writer.JsonlWriter
    path: ${output_path}
"""


def test_path_keys() -> None:
    assert [is_path_key(k) for k in ("path", "file_paths", "input_path", "cache_dir", "scheduler_file")] == [True] * 5
    assert [is_path_key(k) for k in ("text_field", "file_extensions", "profile", "files_per_partition")] == [False] * 4


def test_relative_paths_are_made_absolute_against_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PIPELINE)
    config = load_pipeline_config("p.yaml", ["input_path=data/raw", "output_path=./out", "+cache_dir=~/c"])
    reader, stage, writer = config.stages
    assert reader.file_paths == [str(tmp_path / "data/raw"), str(tmp_path / "extra/more.jsonl"), "s3://bucket/x.jsonl"]
    assert (stage.shared_dir, stage.events_log) == (str(tmp_path / "shared"), str(tmp_path / "shared/events.log"))
    assert writer.path == str(tmp_path / "out") and config.report_dir == str(tmp_path / "out/_report")
    assert config.values["cache_dir"] == os.path.expanduser("~/c") and config.values["text_field"] == "content"


def test_absolute_paths_leave_other_values_alone() -> None:
    node = {"path": "/abs", "paths": ["a", "memory://m"], "text_field": "a", "ref_dir": "${x}/y", "n_file": 3}
    assert absolute_paths(node) == {**node, "paths": [os.path.abspath("a"), "memory://m"]}
    assert absolute_override("cluster.scheduler_file=s.json") == f"cluster.scheduler_file={os.path.abspath('s.json')}"
    assert absolute_override("text_field=content") == "text_field=content"


def test_missing_input_paths_are_named(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text("{}\n")
    check_input_paths([JsonlReader(str(tmp_path / "in")), JsonlReader([str(tmp_path / "in/*.jsonl"), "s3://b/x"])], "p")
    with pytest.raises(InputError, match=r"p\.yaml: input path '.*/nope' of stage 'file_partitioning' does not exist; "
                       r"fix the path given on the command line \(input_path=\.\.\.\) or in the YAML"):  # fmt: skip
        check_input_paths([JsonlReader([str(tmp_path / "in"), str(tmp_path / "nope")])], "p.yaml")
    with pytest.raises(InputError, match=r"input path '.*/in/\*\.parquet' of stage 'file_partitioning' matches no "):
        check_input_paths([JsonlReader(str(tmp_path / "in/*.parquet"))], "p.yaml")
