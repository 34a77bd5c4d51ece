"""Writer stages (``JsonlWriter``, ``ParquetWriter``) and the run-start calls that apply their modes."""

from curator_dask.stages.text.io.writer.jsonl import JsonlWriter
from curator_dask.stages.text.io.writer.output_folder import OutputFolder, check_output_paths, prepare_outputs
from curator_dask.stages.text.io.writer.parquet import ParquetWriter

__all__ = ["JsonlWriter", "OutputFolder", "ParquetWriter", "check_output_paths", "prepare_outputs"]
