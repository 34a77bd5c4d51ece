"""One generator of test and sample corpora: deterministic for a seed, fast, numpy/pandas only.

What it makes, for whom:

- ``documents(n, seed, mix=...)``: documents of known *kinds*. ``WEB`` (the default; any junk
  share with ``web_mix(junk)``) is clean English prose plus the junk a web crawl holds and the
  English heuristic cascade removes: the sample corpus of ``curator-dask example``, the notebooks
  and the benchmarks. ``EDGE_CASES`` is the filter tests' corpus (batch against per-document
  paths, parity with NeMo Curator); ``MARKUP`` the modifier tests' and benchmark's.
- ``near_duplicates(n, seed, duplicate_share=...)``: families of edited copies with the truth of
  which document came from which (``source``, ``kind``), for the dedup tests, benchmark and
  notebook.
- ``write_jsonl(folder, docs, num_files)`` / ``write_parquet(...)``: input files with ``id`` and
  ``text`` (ids unique across the files), returning the paths.

Example::

    from curator_dask.examples.corpus import documents, write_jsonl
    paths = write_jsonl("raw", documents(2000, seed=0), num_files=8)
"""

from __future__ import annotations

from curator_dask.examples.corpus._documents import EDGE_CASES, KINDS, MARKUP, WEB, WEB_JUNK, documents, web_mix
from curator_dask.examples.corpus._files import write_jsonl, write_parquet
from curator_dask.examples.corpus._near_duplicates import near_duplicates

__all__ = [
    "EDGE_CASES",
    "KINDS",
    "MARKUP",
    "WEB",
    "WEB_JUNK",
    "documents",
    "near_duplicates",
    "web_mix",
    "write_jsonl",
    "write_parquet",
]
