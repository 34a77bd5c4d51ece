"""Reader stages: ``JsonlReader`` and ``ParquetReader`` and the execution stages they decompose into."""

from curator_dask.stages.text.io.reader.jsonl import JsonlReader, JsonlReaderStage
from curator_dask.stages.text.io.reader.parquet import ParquetReader, ParquetReaderStage

__all__ = ["JsonlReader", "JsonlReaderStage", "ParquetReader", "ParquetReaderStage"]
