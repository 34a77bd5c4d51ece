"""Fetching one URL to a local file or to memory: HTTP(S) with the standard library, anything else with fsspec.

HTTP goes through ``urllib`` rather than fsspec's HTTP filesystem, which needs ``aiohttp``; a
body shorter than its ``Content-Length`` (a connection dropped midway) is a failure, never a
file. Client errors other than 408 and 429 are marked ``NoRetry``: asking again cannot help.
"""

from __future__ import annotations

import http.client
import shutil
import urllib.error
import urllib.request
from typing import Any

__all__ = ["NoRetry", "fetch_bytes", "fetch_to_path"]

_CHUNK = 1 << 20
_RETRYABLE_CLIENT_ERRORS = (408, 429)
_USER_AGENT = "curator_dask (https://github.com/NVIDIA-NeMo/Curator compatible downloader)"


class NoRetry(str):
    """An error message from ``_download_to_path`` for a failure that retrying cannot fix (HTTP 404)."""

    __slots__ = ()


def _is_http(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _http_failure(url: str, error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        message = f"HTTP {error.code} {error.reason} for {url}"
        permanent = 400 <= error.code < 500 and error.code not in _RETRYABLE_CLIENT_ERRORS
        return NoRetry(message) if permanent else message
    if isinstance(error, http.client.IncompleteRead):
        return f"connection closed after {len(error.partial)} bytes of {url}"
    return f"{type(error).__name__}: {error} ({url})"


def fetch_to_path(
    url: str, path: str, *, timeout_s: float = 60.0, storage_options: dict[str, Any] | None = None
) -> tuple[bool, str | None]:
    """Copy ``url`` to ``path``: ``(True, None)``, or ``(False, error)`` leaving whatever was written."""
    try:
        if not _is_http(url):
            import fsspec

            with fsspec.open(url, "rb", **(storage_options or {})) as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
            return True, None
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout_s) as response, open(path, "wb") as dst:
            expected = response.headers.get("Content-Length")
            written = 0
            while chunk := response.read(_CHUNK):
                dst.write(chunk)
                written += len(chunk)
        if expected is not None and written != int(expected):
            return False, f"connection closed after {written} of {expected} bytes of {url}"
    except (OSError, http.client.HTTPException, ValueError) as error:
        return False, _http_failure(url, error)
    return True, None


def fetch_bytes(url: str, *, timeout_s: float = 60.0, storage_options: dict[str, Any] | None = None) -> bytes:
    """The whole body of ``url`` (a small index file); raises ``OSError`` saying why it could not be had."""
    if not _is_http(url):
        import fsspec

        with fsspec.open(url, "rb", **(storage_options or {})) as src:
            data: bytes = src.read()
            return data
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body: bytes = response.read()
            return body
    except (OSError, http.client.HTTPException) as error:
        raise OSError(_http_failure(url, error)) from error
