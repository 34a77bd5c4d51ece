"""The sample corpus of ``curator-dask example`` as JSONL files (kept for existing imports).

The documents come from ``curator_dask.examples.corpus`` (the ``WEB`` mix: clean English prose
and the junk a heuristic cascade removes); new code calls ``documents`` and ``write_jsonl`` there.
"""

from __future__ import annotations

import os
from pathlib import Path

from curator_dask.examples.corpus import documents, write_jsonl

__all__ = ["write_sample_corpus"]


def write_sample_corpus(
    folder: str | os.PathLike[str], num_docs: int = 2000, num_files: int = 8, seed: int = 0
) -> list[Path]:
    """Write ``num_docs`` generated documents (``id``, ``text``) as ``num_files`` JSONL files.

    Returns:
        The paths written, ``sample-NN.jsonl`` under ``folder``.

    Raises:
        ConfigError: a bad count.
        OutputExistsError: one of the files exists already (nothing is written or replaced).
    """
    return write_jsonl(folder, documents(num_docs, seed=seed), num_files, prefix="sample")
