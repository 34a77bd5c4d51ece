"""The WARC URLs of a range of Common Crawl snapshots: main crawl (``YYYY-WW``) or news (``YYYY-MM``).

The snapshot list comes from ``<index_prefix>/collinfo.json`` (main) or is counted month by
month (news); each snapshot's ``warc.paths.gz`` is fetched and its lines joined to
``data_prefix``. A snapshot whose path list cannot be fetched or read is an error naming the
URL, not a quietly smaller crawl.
"""

from __future__ import annotations

import json
import logging
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin

from curator_dask.errors import BadInputError, ConfigError, InputError
from curator_dask.stages.text.download.base import URLGenerator
from curator_dask.stages.text.download.base.fetch import fetch_bytes

__all__ = [
    "BaseCommonCrawlUrlGenerator",
    "CommonCrawlIndexError",
    "MainCommonCrawlUrlGenerator",
    "NewsCommonCrawlUrlGenerator",
]

logger = logging.getLogger(__name__)

_FIRST_MAIN = date(2013, 1, 1)


class CommonCrawlIndexError(InputError, RuntimeError):
    """The snapshot index (``collinfo.json``) cannot be fetched or read; a ``RuntimeError`` as in NeMo Curator."""


_FIRST_NEWS = date(2016, 8, 1)
_OLD_SNAPSHOTS = {"CC-MAIN-2009-2010", "CC-MAIN-2008-2009"}


@dataclass
class BaseCommonCrawlUrlGenerator(URLGenerator, ABC):
    """The WARC URLs of the snapshots from ``start_snapshot_str`` to ``end_snapshot_str`` (both included).

    Args:
        start_snapshot_str, end_snapshot_str: ``YYYY-WW`` (main) or ``YYYY-MM`` (news).
        data_prefix: where the crawl data lives (a mirror or a test server may stand in).
        limit: keep only the first ``limit`` WARC URLs.
    """

    start_snapshot_str: str
    end_snapshot_str: str
    data_prefix: str = "https://data.commoncrawl.org"
    limit: int | None = None

    def __post_init__(self) -> None:
        start = self._parse_datetime_from_snapshot_string(self.start_snapshot_str, for_start=True).date()
        end = self._parse_datetime_from_snapshot_string(self.end_snapshot_str, for_start=False).date()
        if start > end:
            msg = f"Start snapshot '{self.start_snapshot_str}' is after end snapshot '{self.end_snapshot_str}'"
            raise ConfigError(msg)
        today = datetime.now(tz=UTC).date()
        if end > today:
            logger.warning("Requested end date %s is in the future; using today (%s)", end, today)
            end = today
        self._start_date, self._end_date = start, end

    @abstractmethod
    def _parse_datetime_from_snapshot_string(self, snapshot_str: str, for_start: bool) -> datetime:
        """The date a snapshot string stands for."""

    @abstractmethod
    def generate_path_urls(self) -> list[str]:
        """The URLs of the snapshots' ``warc.paths.gz`` files, newest first."""

    def generate_data_urls(self, path_urls: str | list[str] | None = None) -> list[str]:
        """The WARC URLs listed in ``path_urls`` (default: ``generate_path_urls()``)."""
        if path_urls is None:
            path_urls = self.generate_path_urls()
        elif isinstance(path_urls, str):
            path_urls = [path_urls]
        urls: list[str] = []
        for path_url in path_urls:
            try:
                listing = zlib.decompress(fetch_bytes(path_url), zlib.MAX_WBITS | 32).decode("utf-8")
            except (OSError, zlib.error, UnicodeDecodeError) as error:
                fix = "check the snapshot range and data_prefix, or retry when the server is reachable"
                raise BadInputError(path_url, f"cannot read the WARC path list ({error})", fix=fix) from error
            urls.extend(urljoin(self.data_prefix + "/", line.strip()) for line in listing.splitlines() if line.strip())
        if self.limit is not None:
            urls = urls[: self.limit]
        return urls

    def generate_urls(self) -> list[str]:
        return self.generate_data_urls(self.generate_path_urls())


def _parts(snapshot_str: str, pattern: str, example: str, kind: str) -> tuple[int, int]:
    try:
        year, second = (int(p) for p in snapshot_str.split("-"))
    except (ValueError, AttributeError):
        msg = f"Invalid {kind} snapshot format. Use {pattern} (e.g., '{example}'). Provided: '{snapshot_str}'"
        raise ConfigError(msg) from None
    return year, second


@dataclass
class MainCommonCrawlUrlGenerator(BaseCommonCrawlUrlGenerator):
    """Main crawl snapshots, named ``CC-MAIN-YYYY-WW`` (ISO year and week), listed in ``collinfo.json``."""

    index_prefix: str = "https://index.commoncrawl.org"

    def _parse_datetime_from_snapshot_string(self, snapshot_str: str, for_start: bool) -> datetime:
        year, week = _parts(snapshot_str, "YYYY-WW", "2020-50", "Main CC")
        if not 1 <= week <= 53:
            msg = f"Week number must be between 1 and 53. Provided: '{snapshot_str}'"
            raise ConfigError(msg)
        return datetime.fromisocalendar(year, week, 1)

    def _snapshot_index(self) -> list[dict[str, str]]:
        url = urljoin(self.index_prefix + "/", "collinfo.json")
        try:
            index: list[dict[str, str]] = json.loads(fetch_bytes(url, timeout_s=10))
        except (OSError, json.JSONDecodeError) as error:
            msg = f"Failed to fetch Common Crawl index from {url}: {error}. Fix: check index_prefix and the network"
            raise CommonCrawlIndexError(msg) from error
        return index

    def generate_path_urls(self) -> list[str]:
        start = max(self._start_date, _FIRST_MAIN)
        prefix = urljoin(self.data_prefix + "/", "crawl-data/CC-MAIN")
        urls = []
        for info in self._snapshot_index():
            snapshot_id = info.get("id", "")
            parts = snapshot_id.split("-")
            if snapshot_id in _OLD_SNAPSHOTS or len(parts) != 4 or parts[:2] != ["CC", "MAIN"]:
                continue
            try:
                year, week = int(parts[2]), int(parts[3])
                when = datetime.fromisocalendar(year, week, 1).date()
            except ValueError:
                logger.warning("Could not parse Main CC snapshot id %s", snapshot_id)
                continue
            if start <= when <= self._end_date:
                urls.append(f"{prefix}-{year}-{week:02d}/warc.paths.gz")
        if not urls:
            logger.error("No Main CC snapshots found for %s to %s", self.start_snapshot_str, self.end_snapshot_str)
        return urls


@dataclass
class NewsCommonCrawlUrlGenerator(BaseCommonCrawlUrlGenerator):
    """CC-NEWS, one path list per month from August 2016 on."""

    def _parse_datetime_from_snapshot_string(self, snapshot_str: str, for_start: bool) -> datetime:
        year, month = _parts(snapshot_str, "YYYY-MM", "2020-08", "News CC")
        if not 1 <= month <= 12:
            msg = f"Invalid News CC snapshot format. Use YYYY-MM (e.g., '2020-08'). Provided: '{snapshot_str}'"
            raise ConfigError(msg)
        if for_start:
            return datetime(year, month, 1, tzinfo=UTC)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return following - timedelta(days=1)  # the month's last day, so the whole month is in range

    def generate_path_urls(self) -> list[str]:
        current = max(self._start_date, _FIRST_NEWS).replace(day=1)
        prefix = urljoin(self.data_prefix + "/", "crawl-data/CC-NEWS")
        urls = []
        while current <= self._end_date:
            urls.append(f"{prefix}/{current.year}/{current.month:02d}/warc.paths.gz")
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return urls[::-1]  # newest first, as the main crawl's index lists them
