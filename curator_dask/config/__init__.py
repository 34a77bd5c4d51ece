"""Pipelines described in YAML (NeMo Curator's ``_target_`` format) and the packaged ones."""

from curator_dask.config.loader import PipelineConfig, load_pipeline_config, resolve_pipeline_path
from curator_dask.errors import ConfigError

__all__ = ["ConfigError", "PipelineConfig", "load_pipeline_config", "resolve_pipeline_path"]
