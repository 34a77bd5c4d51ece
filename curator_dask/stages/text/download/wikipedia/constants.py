"""NeMo Curator's Wikimedia User-Agent constants, under the same names for code that imports them.

Wikimedia asks every client for a User-Agent that names the tool and how to reach its authors.
Downloads here send the one of ``base/fetch.py``, which every downloader shares; these values are
for a user's own requests to Wikimedia (``requests.get(url, headers=WIKIMEDIA_REQUEST_HEADERS)``).
"""

from __future__ import annotations

__all__ = ["WIKIMEDIA_REQUEST_HEADERS", "WIKIMEDIA_USER_AGENT"]

WIKIMEDIA_USER_AGENT = "curator_dask-WikipediaDownloader/0.1 (https://github.com/NVIDIA-NeMo/Curator compatible)"
WIKIMEDIA_REQUEST_HEADERS = {"User-Agent": WIKIMEDIA_USER_AGENT}
