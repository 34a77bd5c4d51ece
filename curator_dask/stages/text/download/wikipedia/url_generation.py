"""``WikipediaUrlGenerator``: the article dump files of one wiki, from the dump index and ``dumpstatus.json``."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from curator_dask.errors import BadInputError, ConfigError
from curator_dask.stages.text.download.base import URLGenerator
from curator_dask.stages.text.download.base.fetch import fetch_bytes

__all__ = ["WikipediaUrlGenerator"]

logger = logging.getLogger(__name__)

_DATE = re.compile(r"^\d{8}$")
_LANGUAGE = re.compile(r"^[a-z][a-z0-9_-]*$")
_DUMP_JOB = "articlesmultistreamdump"
# Statuses after which an older dump is tried instead: the dump is missing or the server is busy.
_TRY_NEXT_STATUSES = frozenset({404, 408, 429})


class _LinkTexts(HTMLParser):
    """Collects the text of every ``<a>`` of an index page (stdlib parser: no bs4 needed)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._in_link = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.texts[-1] += data


@dataclass
class WikipediaUrlGenerator(URLGenerator):
    """The ``pages-articles-multistream`` XML files of a Wikipedia dump.

    With no ``dump_date``, the newest dump listed on ``<prefix>/<language>wiki/`` whose article
    job is done is taken (unfinished or unreadable dumps are passed over, newest first).

    Args:
        language: the wiki's language code (``"en"``, ``"de"``, ``"zh-yue"``).
        dump_date: ``"YYYYMMDD"``; ``None`` for the newest completed dump.
        wikidumps_index_prefix: the dump server (a mirror, or a local ``file://`` copy).
    """

    language: str = "en"
    dump_date: str | None = None
    wikidumps_index_prefix: str = "https://dumps.wikimedia.org"

    def __post_init__(self) -> None:
        if not isinstance(self.language, str) or not _LANGUAGE.match(self.language):
            msg = f"WikipediaUrlGenerator: language={self.language!r} is not a wiki language code. Fix: e.g. 'en'."
            raise ConfigError(msg)
        if self.dump_date is not None and not _DATE.match(str(self.dump_date).rstrip("/")):
            msg = f"WikipediaUrlGenerator: dump_date={self.dump_date!r} is not YYYYMMDD. Fix: e.g. '20240501' or None."
            raise ConfigError(msg)

    @property
    def _index_url(self) -> str:
        return urljoin(self.wikidumps_index_prefix, f"{self.language}wiki")

    def generate_urls(self) -> list[str]:
        """The dump's XML files in ``dumpstatus.json`` order."""
        if self.dump_date is None:
            dump_date, status = self._latest_completed_dump()
        else:
            dump_date = str(self.dump_date).rstrip("/")
            loaded = self._dump_status(dump_date)
            if loaded is None:
                raise BadInputError(
                    self._status_url(dump_date), "the dump status could not be loaded", fix=self._fix(dump_date)
                )
            status = loaded
            if not _is_done(status):
                raise BadInputError(self._status_url(dump_date), "the dump is not finished", fix=self._fix(dump_date))
        dump_url = urljoin(self._index_url + "/", dump_date + "/")
        files = status["jobs"][_DUMP_JOB].get("files", {})
        urls = [urljoin(dump_url, name) for name in files if "xml" in name]
        logger.info("found %d Wikipedia dump files in %s", len(urls), dump_url)
        return urls

    def _fix(self, dump_date: str) -> str:
        return f"pick a completed dump listed on {self._index_url}/ (dump_date=None takes the newest), not {dump_date}"

    def _status_url(self, dump_date: str) -> str:
        return urljoin(self._index_url + "/", f"{dump_date}/dumpstatus.json")

    def _latest_completed_dump(self) -> tuple[str, dict[str, Any]]:
        try:
            index = fetch_bytes(self._index_url).decode("utf-8", "replace")
        except OSError as error:
            fix = "check wikidumps_index_prefix and language, and the network"
            raise BadInputError(self._index_url, f"the dump index could not be read: {error}", fix=fix) from error
        parser = _LinkTexts()
        parser.feed(index)
        dates = {text.strip().strip("/") for text in parser.texts}
        for dump_date in sorted((d for d in dates if _DATE.match(d)), reverse=True):
            status = self._dump_status(dump_date)
            if status is not None and _is_done(status):
                logger.info("newest completed %swiki dump: %s", self.language, dump_date)
                return dump_date, status
            logger.warning(
                "dump %s of %swiki is not finished or not readable; trying an older one", dump_date, self.language
            )
        raise BadInputError(
            self._index_url, "no completed dump is listed", fix="check wikidumps_index_prefix and language"
        )

    def _dump_status(self, dump_date: str) -> dict[str, Any] | None:
        """The dump's ``dumpstatus.json``; ``None`` when it is missing, the server is busy or it is not JSON."""
        url = self._status_url(dump_date)
        try:
            raw = fetch_bytes(url)
        except FileNotFoundError:
            return None
        except OSError as error:
            cause = error.__cause__
            code = cause.code if isinstance(cause, urllib.error.HTTPError) else None
            if code is not None and code not in _TRY_NEXT_STATUSES and code < 500:
                raise BadInputError(
                    url, f"the dump status could not be read: {error}", fix=self._fix(dump_date)
                ) from error
            logger.warning("dump status %s could not be read: %s", url, error)
            return None
        try:
            status = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            logger.warning("dump status %s is not JSON: %s", url, error)
            return None
        return status if isinstance(status, dict) else None


def _is_done(status: dict[str, Any]) -> bool:
    job = status.get("jobs", {}).get(_DUMP_JOB, {})
    return isinstance(job, dict) and job.get("status") == "done"
