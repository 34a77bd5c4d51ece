"""Readers (``reader``) and writers (``writer``) of JSONL and Parquet files."""
