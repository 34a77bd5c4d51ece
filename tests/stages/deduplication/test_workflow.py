"""The workflows' arguments: the stage's own pass through, with the stage's (NeMo Curator's) defaults."""

from __future__ import annotations

import pytest

from curator_dask.errors import ConfigError
from curator_dask.stages.deduplication import (
    ExactDeduplicationWorkflow,
    ExactDuplicateIdentification,
    FuzzyDeduplicationWorkflow,
)

PATHS = {"input_path": "/in", "output_path": "/out"}
NEMO_FUZZY_DEFAULTS = {
    "seed": 42,
    "char_ngrams": 24,
    "num_bands": 20,
    "minhashes_per_band": 13,
    "bands_per_iteration": 5,
    "false_positive_check": False,
    "jaccard_threshold": 0.8,
}


def _fuzzy_options(stage: object) -> dict[str, object]:
    hasher = stage.hasher  # type: ignore[attr-defined]
    values = {"seed": hasher.seed, "char_ngrams": hasher.char_ngrams}
    return values | {k: getattr(stage, k) for k in NEMO_FUZZY_DEFAULTS if k not in values}


def test_fuzzy_workflow_defaults_are_nemo_curators() -> None:
    stage = FuzzyDeduplicationWorkflow(**PATHS).identification_stage("id")
    assert _fuzzy_options(stage) == NEMO_FUZZY_DEFAULTS
    assert FuzzyDeduplicationWorkflow.stage_arguments() == (*NEMO_FUZZY_DEFAULTS, "max_cc_iterations")


def test_fuzzy_workflow_passes_the_stage_options_through() -> None:
    chosen = {
        "seed": 7,
        "char_ngrams": 5,
        "num_bands": 4,
        "minhashes_per_band": 3,
        "bands_per_iteration": 2,
        "false_positive_check": True,
        "jaccard_threshold": 0.5,
    }
    workflow = FuzzyDeduplicationWorkflow(**PATHS, text_field="body", total_nparts=3, **chosen, max_cc_iterations=9)
    stage = workflow.identification_stage("doc_id")
    assert _fuzzy_options(stage) == chosen and stage.max_cc_iterations == 9  # type: ignore[attr-defined]
    assert (stage.text_field, stage.id_field, stage.total_nparts, stage.hasher.num_hashes) == ("body", "doc_id", 3, 12)  # type: ignore[attr-defined]


def test_exact_workflow_builds_its_stage_from_the_workflow_arguments() -> None:
    stage = ExactDeduplicationWorkflow(**PATHS, perform_removal=False, shuffle_method="p2p").identification_stage("i")
    assert isinstance(stage, ExactDuplicateIdentification)
    assert (stage.id_field, stage.perform_removal, stage.shuffle_method, stage.drop_id_field) == (
        "i",
        False,
        "p2p",
        True,
    )
    assert ExactDeduplicationWorkflow.stage_arguments() == ()


def test_unknown_arguments_name_what_is_allowed() -> None:
    with pytest.raises(
        ConfigError,
        match=r"FuzzyDeduplicationWorkflow got unknown argument\(s\) \['sed'\]; it takes \['files_per_partition', "
        r".*\] and FuzzyDuplicateIdentification's own \['bands_per_iteration', 'char_ngrams', .*'seed'\]\. Fix",
    ):
        FuzzyDeduplicationWorkflow(**PATHS, sed=1)
    with pytest.raises(ConfigError, match=r"ExactDeduplicationWorkflow got unknown argument\(s\) \['seed'\].*own \[\]"):
        ExactDeduplicationWorkflow(**PATHS, seed=1)


def test_bad_stage_options_fail_when_the_workflow_is_made() -> None:
    with pytest.raises(ConfigError, match=r"bands_per_iteration must be between 1 and num_bands=20; got 30"):
        FuzzyDeduplicationWorkflow(**PATHS, bands_per_iteration=30)
    with pytest.raises(ConfigError, match=r"jaccard_threshold must be in \(0, 1\]; got 1.5"):
        FuzzyDeduplicationWorkflow(**PATHS, jaccard_threshold=1.5)
    with pytest.raises(ConfigError, match=r"input_filetype='csv' is not supported; pass one of \['jsonl', 'parquet'\]"):
        ExactDeduplicationWorkflow(**PATHS, input_filetype="csv")  # type: ignore[arg-type]
