"""``ArxivUrlGenerator``: the bulk source tars (``*.tar``) under an fsspec or HTTP(S) location."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.text.download.base import URLGenerator
from curator_dask.stages.text.download.base.fetch import fetch_bytes

__all__ = ["ARXIV_SOURCE_URL", "ArxivUrlGenerator"]

# arXiv's bulk source files: a requester-pays S3 bucket (https://info.arxiv.org/help/bulk_data_s3.html).
ARXIV_SOURCE_URL = "s3://arxiv/src/"


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


@dataclass
class ArxivUrlGenerator(URLGenerator):
    """The ``.tar`` files directly under ``source_url``, sorted by name.

    An ``http(s)://`` location is read as an index page (a mirror's or a web server's directory
    listing) and its links to ``.tar`` files are taken; anything else is listed with fsspec. NeMo
    Curator lists ``s3://arxiv/src/`` with ``s5cmd``; here the same bucket is read through s3fs.

    Args:
        source_url: the folder of the tars (default: arXiv's requester-pays bucket).
        storage_options: fsspec options, e.g. ``{"requester_pays": True}`` for the arXiv bucket.
    """

    source_url: str = ARXIV_SOURCE_URL
    storage_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.source_url, str) or not self.source_url:
            msg = f"ArxivUrlGenerator: source_url={self.source_url!r} is not a URL. Fix: e.g. {ARXIV_SOURCE_URL!r}."
            raise ConfigError(msg)

    def generate_urls(self) -> list[str]:
        """Full URLs of the tars, sorted."""
        _check_s3fs(self.source_url)
        if urlparse(self.source_url).scheme in ("http", "https"):
            return self._from_index_page()
        import fsspec

        fs, path = fsspec.core.url_to_fs(self.source_url, **self.storage_options)
        try:
            found = fs.glob(posixpath.join(path.rstrip("/"), "*.tar"))
        except OSError as error:
            raise BadInputError(self.source_url, f"could not be listed: {error}", fix=self._fix) from error
        return sorted(fs.unstrip_protocol(p) for p in found)

    @property
    def _fix(self) -> str:
        return "check source_url and storage_options (credentials, requester_pays)"

    def _from_index_page(self) -> list[str]:
        base = self.source_url if self.source_url.endswith("/") else self.source_url + "/"
        try:
            page = fetch_bytes(base, storage_options=self.storage_options).decode("utf-8", "replace")
        except OSError as error:
            raise BadInputError(base, f"the index page could not be read: {error}", fix=self._fix) from error
        parser = _Hrefs()
        parser.feed(page)
        urls = {urljoin(base, href) for href in parser.hrefs if urlparse(href).path.endswith(".tar")}
        return sorted(urls)


def _check_s3fs(url: str) -> None:
    """Fail with the fix when an S3 location is read without s3fs (checked at run time, so a stage
    can be built and described anywhere)."""
    if urlparse(url).scheme not in ("s3", "s3a"):
        return
    try:
        import s3fs  # noqa: F401
    except ImportError:
        msg = (
            f"ArxivUrlGenerator: reading {url} needs s3fs, which is not installed. Fix: pip install s3fs (and pass "
            "storage_options={'requester_pays': True} for arXiv's bucket), or point source_url at an "
            "http(s):// or local mirror."
        )
        raise ConfigError(msg) from None
