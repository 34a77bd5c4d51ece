"""NeMo Curator's own exact and fuzzy dedup YAMLs load as they are (``workflow:`` a one-entry list)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from curator_dask.config import ConfigError, load_pipeline_config
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow, FuzzyDeduplicationWorkflow
from tests.config.nemo_shapes import EXACT, FUZZY, write_nemo_yaml

PATHS = ["input_path=/data/in", "output_path=/data/out"]


def test_nemo_exact_yaml_builds_our_workflow(tmp_path: Path) -> None:
    config = load_pipeline_config(write_nemo_yaml(tmp_path, "exact"), PATHS)
    workflow = config.workflow
    assert isinstance(workflow, ExactDeduplicationWorkflow)
    assert (workflow.input_filetype, workflow.perform_removal, workflow.id_field) == ("jsonl", False, None)
    assert workflow.input_blocksize == "2GiB"
    assert [s.name for s in config.pipeline().build()][-2:] == ["exact_duplicate_identification", "jsonl_writer"]


def test_nemo_fuzzy_yaml_warns_about_the_unused_cache_path(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config = load_pipeline_config(write_nemo_yaml(tmp_path, "fuzzy"), [*PATHS, "cache_path=/data/cache"])
    assert isinstance(config.workflow, FuzzyDeduplicationWorkflow)
    assert config.workflow.options["num_bands"] == 20 and config.workflow.options["minhashes_per_band"] == 13
    messages = [r.getMessage() for r in caplog.records]
    assert any("cache_path='/data/cache' is not used: Dask's shuffle keeps intermediates" in m for m in messages)
    assert any("'ray_client' is NeMo Curator's Ray set-up and is ignored" in m for m in messages)


@pytest.mark.parametrize(
    ("text", "replace", "message"),
    [
        (EXACT, ("assign_id: True", "assign_id: False"), r"workflow\[0\]: assign_id=false needs the column of your "
         r"unique ids: pass id_field=<that column>"),
        (EXACT, ("id_field: null", "id_field: id"), r"assign_id=true numbers the documents itself, but id_field='id' "
         r"is set; drop id_field \(id_field=null\) or set assign_id=false"),
        (FUZZY, ("use_64_bit_hash: False", "use_64_bit_hash: True"), r"use_64_bit_hash=True is NeMo Curator's and is "
         "not supported here; MinHash uses 32-bit hashes here"),
        (EXACT, ("env_vars: null", "env_vars: {A: b}"), r"env_vars=\{'A': 'b'\} is NeMo Curator's and is not "
         r"supported here; export the variables in the environment the workers start in"),
        (EXACT, ("input_file_extensions: null", "input_file_extensions: [.json]"), r"match the files with a glob "
         r"instead: input_path='/data/\*\.jsonl'"),
        (EXACT, ("workflow:\n", "workflow:\n  - {_target_: a.B}\n"), r"workflow lists 2 workflows; a file runs one"),
    ],
)  # fmt: skip
def test_nemo_arguments_that_would_change_the_result_are_refused(
    tmp_path: Path, text: str, replace: tuple[str, str], message: str
) -> None:
    path = tmp_path / "nemo.yaml"
    path.write_text(text.replace(*replace))
    overrides = [*PATHS, "cache_path=/c"] if text is FUZZY else PATHS
    with pytest.raises(ConfigError, match=message):
        load_pipeline_config(path, overrides)


def test_a_workflow_that_is_not_a_mapping_names_both_workflow_classes(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("workflow: [exact]\n")
    message = (
        r"w.yaml: workflow\[0\] must be a mapping with '_target_: curator_dask\.stages\.deduplication\.exact\.workflow"
        r"\.ExactDeduplicationWorkflow' or '_target_: curator_dask\.stages\.deduplication\.fuzzy\.workflow"
        r"\.FuzzyDeduplicationWorkflow'"
    )
    with pytest.raises(ConfigError, match=message):
        load_pipeline_config(path)
