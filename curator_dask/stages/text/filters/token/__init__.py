"""NeMo Curator's ``TokenCountFilter`` package; the filter lives in ``token.token_count``.

transformers is imported only when a Hugging Face tokenizer is loaded, never by this import.
"""

from curator_dask.stages.text.filters.token.token_count import TokenCountFilter

__all__ = ["TokenCountFilter"]
