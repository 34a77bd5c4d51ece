"""``workflow:`` files: the packaged dedup YAMLs load into the workflow classes, overrides apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_dask.config import ConfigError, load_pipeline_config
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow

PATHS = ["input_path=/data/in", "output_path=/data/out"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workflow.yaml"
    path.write_text(text)
    return path


def test_exact_dedup_yaml_builds_the_workflow() -> None:
    config = load_pipeline_config("exact_dedup", [*PATHS, "input_filetype=jsonl", "perform_removal=false"])
    workflow = config.workflow
    assert isinstance(workflow, ExactDeduplicationWorkflow)
    assert (workflow.input_path, workflow.output_path) == ("/data/in", "/data/out")
    assert (workflow.input_filetype, workflow.perform_removal, workflow.id_field) == ("jsonl", False, None)
    assert [s.name for s in config.pipeline().build()][-2:] == ["exact_duplicate_identification", "jsonl_writer"]
    assert config.report_dir == "/data/out/_report" and config.executor == {"failure_policy": "raise"}


def test_fuzzy_dedup_yaml_interpolates_and_overrides_the_options() -> None:
    config = load_pipeline_config("fuzzy_dedup", [*PATHS, "num_bands=10", "jaccard_threshold=0.7", "id_field=id"])
    workflow = config.workflow
    assert isinstance(workflow, FuzzyDeduplicationWorkflow)
    assert workflow.options == {
        "seed": 42,
        "char_ngrams": 24,
        "num_bands": 10,
        "minhashes_per_band": 13,
        "bands_per_iteration": 5,
        "false_positive_check": False,
        "jaccard_threshold": 0.7,
    }
    assert workflow.id_field == "id" and "add_id" not in [s.name for s in config.stages]
    assert config.pipeline() is not config.pipeline()  # a fresh pipeline per run: its writer clears output


def test_nemo_curator_import_paths_work_for_workflows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "workflow:\n  _target_: nemo_curator.stages.deduplication.exact.workflow.ExactDeduplicationWorkflow\n"
        "  input_path: /in\n  output_path: /out\n",
    )
    assert isinstance(load_pipeline_config(path).workflow, ExactDeduplicationWorkflow)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workflow: {_target_: x.Y}\nstages: []\n", "has both 'workflow:' and 'stages:'; keep one"),
        ("workflow: 1\n", "workflow must be a mapping with ._target_: curator_dask.stages.deduplication.exact"),
        (
            "workflow: {_target_: curator_dask.stages.text.io.writer.JsonlWriter, path: /o}\n",
            r"built a JsonlWriter, not a workflow with pipeline\(\) and run\(executor\)",
        ),
        (
            "workflow: {_target_: curator_dask.stages.deduplication.FuzzyDeduplicationWorkflow, input_path: /i}\n",
            r"FuzzyDeduplicationWorkflow\(input_path=...\) failed: .*output_path",
        ),
        ("input_path: ???\nworkflow: {_target_: x.Y}\n", "input_path must be set"),
    ],
)
def test_bad_workflow_files_name_the_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_pipeline_config(_write(tmp_path, text))
