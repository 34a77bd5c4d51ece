"""NeMo Curator's own dedup YAML files, in their shape (Hydra header, ``ray_client``, a one-entry
``workflow:`` list with NeMo's arguments), written by the tests rather than vendored."""

from __future__ import annotations

from pathlib import Path

_HEADER = """
defaults:
  - _self_
  - override hydra/job_logging: none
  - override hydra/hydra_logging: none
hydra:
  run:
    dir: .
  output_subdir: null
documentation: |
  A {kind} deduplication configuration file in NeMo Curator's shape.
input_path: ???
output_path: ???
input_filetype: jsonl
text_field: "text"
ray_client:
  _target_: nemo_curator.core.client.RayClient
  num_cpus: null
  num_gpus: 4
"""

EXACT = (
    _HEADER.format(kind="exact")
    + """id_field: null
workflow:
  - _target_: nemo_curator.stages.deduplication.exact.workflow.ExactDeduplicationWorkflow
    input_path: ${input_path}
    output_path: ${output_path}
    input_filetype: ${input_filetype}
    input_blocksize: "2GiB"
    input_file_extensions: null
    read_kwargs: null
    write_kwargs: null
    assign_id: True
    text_field: ${text_field}
    id_field: ${id_field}
    perform_removal: False
    env_vars: null
"""
)

FUZZY = (
    _HEADER.format(kind="fuzzy")
    + """cache_path: ???
workflow:
  - _target_: nemo_curator.stages.deduplication.fuzzy.workflow.FuzzyDeduplicationWorkflow
    input_path: ${input_path}
    output_path: ${output_path}
    cache_path: ${cache_path}
    input_filetype: ${input_filetype}
    input_blocksize: "1GiB"
    input_file_extensions: null
    read_kwargs: null
    cache_kwargs: null
    write_kwargs: null
    text_field: ${text_field}
    perform_removal: False
    seed: 42
    char_ngrams: 24
    num_bands: 20
    minhashes_per_band: 13
    use_64_bit_hash: False
    bands_per_iteration: 5
    env_vars: null
"""
)


def write_nemo_yaml(folder: Path, kind: str) -> Path:
    """``exact_deduplication_pipeline.yaml`` or ``fuzzy_...`` (``kind``) in NeMo's shape, under ``folder``."""
    path = folder / f"{kind}_deduplication_pipeline.yaml"
    path.write_text(EXACT if kind == "exact" else FUZZY)
    return path
