"""Small helpers that several parts of curator_dask share (NeMo Curator's ``utils`` modules)."""

from curator_dask.utils.paths import GLOB_CHARS, absolute_path

__all__ = ["GLOB_CHARS", "absolute_path"]
