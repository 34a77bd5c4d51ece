"""Pipeline YAML files: targets, NeMo Curator's own file, with_ overrides, the packaged main job."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.config import ConfigError, load_pipeline_config
from curator_dask.config.instantiate import locate, map_import_path
from curator_dask.examples.heuristic_english import heuristic_english_pipeline
from curator_dask.examples.sample_corpus import write_sample_corpus
from curator_dask.stages.resources import Resources

NEMO_YAML = Path(__file__).parent / "data" / "heuristic_filter_english_pipeline.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_nemo_paths_map_to_curator_dask() -> None:
    assert map_import_path("nemo_curator.stages.text.io.reader.JsonlReader") == (
        "curator_dask.stages.text.io.reader.JsonlReader"
    )
    assert locate("nemo_curator.stages.resources.Resources") is Resources
    with pytest.raises(ConfigError, match=r"Cannot import _target_ 'nemo_curator.nope.X' \(read as 'curator_dask"):
        locate("nemo_curator.nope.X")


def test_nemo_curators_own_yaml_runs_unchanged(client: Any, tmp_path: Path) -> None:
    write_sample_corpus(tmp_path / "in", num_docs=60, num_files=2)
    config = load_pipeline_config(NEMO_YAML, [f"input_path={tmp_path / 'in'}", f"output_path={tmp_path / 'out'}"])
    pipeline = config.pipeline()
    names = [s.name for s in pipeline.build()]
    assert len(names) == 31 and names[:2] == ["file_partitioning", "jsonl_reader"] and names[-1] == "jsonl_writer"
    result = pipeline.run(DaskExecutor(client=client))
    assert result and list((tmp_path / "out").glob("*.jsonl"))


def test_packaged_main_job_matches_the_python_pipeline() -> None:
    config = load_pipeline_config("heuristic_english", ["input_path=/in", "output_path=/out"])
    from_yaml = config.pipeline().build()
    from_python = heuristic_english_pipeline("/in", "/out").build()
    assert [_fingerprint(s) for s in from_yaml] == [_fingerprint(s) for s in from_python]
    assert config.report_dir == "/out/_report" and config.cluster["kind"] == "auto"


def _fingerprint(obj: Any) -> Any:
    """Class and public attributes, recursively (filters inside stages included)."""
    if isinstance(obj, list | tuple):
        return [_fingerprint(o) for o in obj]
    if hasattr(obj, "__dict__") and type(obj).__module__.startswith("curator_dask"):
        return type(obj).__name__, {k: _fingerprint(v) for k, v in vars(obj).items() if not k.startswith("__")}
    return repr(obj)


def test_with_overrides_resources_and_batch_size(tmp_path: Path) -> None:
    path = _write(tmp_path, """
stages:
  - _target_: curator_dask.stages.text.io.reader.JsonlReader
    file_paths: /in
    with_: {jsonl_reader: {batch_size: 3}, file_partitioning: {resources: {cpus: 2}}}
  - _target_: curator_dask.stages.text.filters.score_filter.ScoreFilter
    filter_obj: {_target_: curator_dask.stages.text.filters.heuristic.string.WordCountFilter, min_words: 5}
    resources: {cpus: 0.5}
    batch_size: 4
    with_: {name: words}
cluster: {kind: local, n_workers: 2}
executor: {failure_policy: continue}
""")  # fmt: skip
    config = load_pipeline_config(path)
    stages = {s.name: s for s in config.pipeline().build()}
    assert stages["jsonl_reader"].batch_size == 3 and stages["file_partitioning"].resources.cpus == 2
    assert stages["words"].resources == Resources(cpus=0.5) and stages["words"].batch_size == 4
    assert config.cluster == {"kind": "local", "n_workers": 2} and config.executor == {"failure_policy": "continue"}
    assert config.name == "p" and config.report_dir is None


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("{file_paths: /in}", r"stages\[0\] must be a mapping with '_target_: package.module.StageClass'"),
        ("{_target_: curator_dask.stages.resources.Resources}", "built a Resources, not a ProcessingStage"),
        ("{_target_: curator_dask.stages.text.io.reader.JsonlReader, paths: /in}",
         r"JsonlReader\(paths=\.\.\.\) failed"),
        ("{_target_: curator_dask.stages.text.io.writer.JsonlWriter, path: /o, with_: {cpus: 2}}",
         r"unknown keys \['cpus'\]; with_ accepts name, resources, batch_size, num_workers"),
        ("{_target_: curator_dask.stages.text.io.writer.JsonlWriter, path: /o, resources: {gpu: 1}}",
         "use cpus, gpus or gpu_memory_gb"),
    ],
)  # fmt: skip
def test_bad_stages_are_named(tmp_path: Path, stage: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_pipeline_config(_write(tmp_path, f"stages:\n  - {stage}\n"))


def test_file_level_errors_and_nemo_keys(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ConfigError, match="needs a non-empty 'stages:' list"):
        load_pipeline_config(_write(tmp_path, "input_path: x\n"))
    with pytest.raises(ConfigError, match="or a 'workflow:' mapping"):
        load_pipeline_config(_write(tmp_path, "stages: []\n"))
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_pipeline_config(_write(tmp_path, "stages: [\n"))
    with caplog.at_level(logging.WARNING):
        load_pipeline_config(_write(tmp_path, "ray_client: {}\nstages:\n  - {_target_: "
                                    "curator_dask.stages.text.io.writer.JsonlWriter, path: /o}\n"))  # fmt: skip
    assert "'ray_client' is NeMo Curator's Ray set-up and is ignored" in caplog.text


def test_overrides_are_checked_against_the_file_and_the_cluster_fields() -> None:
    paths = ["input_path=/in", "output_path=/out"]
    config = load_pipeline_config("heuristic_english", [*paths, "cluster.n_workers=8", "executor.max_retries=1"])
    assert config.cluster["n_workers"] == 8 and config.executor["max_retries"] == 1
    with pytest.raises(ConfigError, match=r"heuristic_english\.yaml defines no key 'text_feild' \(did you mean "
                       r"'text_field'\?\); fix the spelling, or write \+text_feild=content"):  # fmt: skip
        load_pipeline_config("heuristic_english", [*paths, "text_feild=content"])
    with pytest.raises(ConfigError, match=r"cluster has no setting 'n_worker' \(did you mean 'n_workers'\?\)"):
        load_pipeline_config("heuristic_english", [*paths, "cluster.n_worker=8"])
    assert load_pipeline_config("heuristic_english", [*paths, "+note=kept"]).values["note"] == "kept"


@pytest.mark.parametrize(
    ("cluster", "message"),
    [
        ("{n_worker: 2}", r"p\.yaml: cluster: unknown setting 'n_worker' \(did you mean 'n_workers'\?\); allowed: "
         "kind, n_workers, threads_per_worker"),
        ("{n_workers: 0}", r"p\.yaml: cluster: ClusterSpec\.n_workers must be a whole number >= 1, or None \(one per "
         r"core, or per GPU\), got 0; set cluster\.n_workers in the YAML, or --n-workers on the command line"),
        ("{timeout: -1}", r"ClusterSpec\.timeout must be a number > 0, got -1"),
        ("[local]", r"p\.yaml: cluster must be a mapping of ClusterSpec settings, got \['local'\]"),
    ],
)  # fmt: skip
def test_the_cluster_section_is_checked_when_loading(tmp_path: Path, cluster: str, message: str) -> None:
    text = f"cluster: {cluster}\nstages:\n  - {{_target_: curator_dask.stages.text.io.writer.JsonlWriter, path: /o}}\n"
    with pytest.raises(ConfigError, match=message):
        load_pipeline_config(_write(tmp_path, text))
