"""NeMo Curator's ``HistogramFilter`` package; the filter lives in ``histogram.histogram``."""

from curator_dask.stages.text.filters.histogram.histogram import HistogramFilter

__all__ = ["HistogramFilter"]
