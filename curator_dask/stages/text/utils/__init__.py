"""Helpers shared by the text stages: ``constants`` and ``text_utils`` (NeMo Curator's modules and
names), and ``text_column`` (the per-batch views that the vectorised filters share)."""
