"""Helpers shared by the text stages."""
