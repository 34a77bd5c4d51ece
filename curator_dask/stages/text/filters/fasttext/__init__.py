"""fastText document filters, at NeMo Curator's path (``nemo_curator.stages.text.filters.fasttext``).

Importing this package does not import ``fasttext``; the filters load it with their model.
"""

from curator_dask.stages.text.filters.fasttext.fasttext_filters import FastTextLangId, FastTextQualityFilter

__all__ = ["FastTextLangId", "FastTextQualityFilter"]
