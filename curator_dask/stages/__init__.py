"""Stages: the steps a pipeline is made of."""

from curator_dask.stages.base import CompositeStage, ProcessingStage, get_stage_class
from curator_dask.stages.function_decorators import processing_stage
from curator_dask.stages.resources import Resources

__all__ = ["CompositeStage", "ProcessingStage", "Resources", "get_stage_class", "processing_stage"]
