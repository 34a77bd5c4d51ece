"""The User-Agent Wikimedia asks every client to send, naming the tool and where to reach its authors."""

from __future__ import annotations

__all__ = ["WIKIMEDIA_REQUEST_HEADERS", "WIKIMEDIA_USER_AGENT"]

WIKIMEDIA_USER_AGENT = "curator_dask-WikipediaDownloader/0.1 (https://github.com/NVIDIA-NeMo/Curator compatible)"
WIKIMEDIA_REQUEST_HEADERS = {"User-Agent": WIKIMEDIA_USER_AGENT}
