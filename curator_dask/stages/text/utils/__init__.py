"""Helpers shared by the text stages: ``constants`` and ``text_utils`` (NeMo Curator's modules and
names), and ``text_column`` (the per-batch views that the vectorised filters share)."""

from __future__ import annotations

from curator_dask.stages.text.utils.text_utils import get_language_name

__all__ = ["get_language_name"]
