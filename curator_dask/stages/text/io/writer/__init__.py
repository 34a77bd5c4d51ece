"""Writer stages (JSONL, Parquet, Megatron tokens) and the run-start calls that apply their modes."""

from curator_dask.stages.text.io.writer.jsonl import JsonlWriter
from curator_dask.stages.text.io.writer.megatron_tokenizer import MegatronTokenizerWriter
from curator_dask.stages.text.io.writer.output_folder import OutputFolder, check_output_paths, prepare_outputs
from curator_dask.stages.text.io.writer.parquet import ParquetWriter

__all__ = [
    "JsonlWriter",
    "MegatronTokenizerWriter",
    "OutputFolder",
    "ParquetWriter",
    "check_output_paths",
    "prepare_outputs",
]
