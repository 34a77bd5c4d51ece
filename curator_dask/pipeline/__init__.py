"""The ``Pipeline`` class."""

from curator_dask.pipeline.pipeline import Pipeline

__all__ = ["Pipeline"]
