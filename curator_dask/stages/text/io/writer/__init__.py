"""Writer stages: ``JsonlWriter`` and ``ParquetWriter``."""

from curator_dask.stages.text.io.writer.jsonl import JsonlWriter
from curator_dask.stages.text.io.writer.parquet import ParquetWriter

__all__ = ["JsonlWriter", "ParquetWriter"]
