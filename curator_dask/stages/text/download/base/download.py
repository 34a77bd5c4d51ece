"""``DocumentDownloader`` (resumable, retried downloads) and the stage that runs it per URL.

A download goes to ``<name>.tmp`` and is renamed to ``<name>`` only once complete, so a file
under its final name is whole and is never fetched again (a rerun downloads nothing), while a
``.tmp`` left by a dropped connection or a killed worker is fetched again from the start.
Failures are retried ``max_retries`` times with exponential backoff; a failure marked
``NoRetry`` (an HTTP 404, say) is not. What then happens is the stage's ``on_error``: ``"raise"``
(the default) ends the run with a ``BadInputError`` naming the URL; ``"skip"`` keeps going and
reports the URL in ``_metadata["download_failures"]`` and the ``failed_downloads`` metric.
"""

from __future__ import annotations

import logging
import os
import posixpath
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack
from urllib.parse import urlparse

from curator_dask.errors import BadInputError, ConfigError, ConfigTypeError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.stages.text.download.base.fetch import NoRetry, fetch_to_path
from curator_dask.tasks import FileGroupTask

__all__ = [
    "DocumentDownloadStage",
    "DocumentDownloader",
    "DownloadOutcome",
    "FetchOptions",
    "FetchingDownloader",
    "NoRetry",
    "add_metrics",
]

logger = logging.getLogger(__name__)


def add_metrics(stage: ProcessingStage, metrics: dict[str, float]) -> None:
    """Add to a stage's custom metrics: ``_log_metric`` keeps the last value, a batch must add up."""
    store = stage.__dict__.get("_custom_metrics", {})
    stage._log_metrics({k: store.get(k, 0.0) + v for k, v in metrics.items()})


@dataclass(frozen=True, slots=True)
class DownloadOutcome:
    """What one ``download`` call came to: the local path, or the last error after ``attempts`` tries."""

    url: str
    path: str | None
    error: str | None = None
    attempts: int = 0
    fetched: bool = False


class DocumentDownloader(ABC):
    """Base of the downloaders: subclasses name the local file and fetch one URL to a path.

    Args:
        download_dir: folder for the downloaded files (created at the first download).
        verbose: log every download and every file found complete on disk.
        max_retries: further tries after a failed one (``NoRetry`` failures are not retried); 0, one
            try, is NeMo Curator's base behaviour (its Common Crawl downloader retries, and so does ours).
        retry_backoff_s: wait before the first retry; doubled before each further one.
    """

    def __init__(
        self, download_dir: str, verbose: bool = False, *, max_retries: int = 0, retry_backoff_s: float = 1.0
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            msg = f"max_retries must be a non-negative int, got {max_retries!r}"
            raise ConfigError(msg)
        if not isinstance(retry_backoff_s, int | float) or retry_backoff_s < 0:
            msg = f"retry_backoff_s must be a non-negative number of seconds, got {retry_backoff_s!r}"
            raise ConfigError(msg)
        self._download_dir = os.path.abspath(download_dir)
        self._verbose = verbose
        self._max_retries = max_retries
        self._retry_backoff_s = float(retry_backoff_s)

    @abstractmethod
    def _get_output_filename(self, url: str) -> str:
        """The local file name (no folder) for ``url``; distinct URLs must get distinct names."""
        ...

    @abstractmethod
    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        """Fetch ``url`` into ``path``: ``(True, None)``, or ``(False, error message)``."""
        ...

    def download(self, url: str) -> str | None:
        """The local path of ``url``'s file, downloading it unless complete on disk; ``None`` on failure."""
        outcome = self.download_with_outcome(url)
        self.__dict__["_last_outcome"] = outcome  # what the stage reports when this returns None
        return outcome.path

    def download_with_outcome(self, url: str) -> DownloadOutcome:
        """``download``, saying also how many tries it took and the last error."""
        output_file = os.path.join(self._download_dir, self._get_output_filename(url))
        if os.path.isfile(output_file) and os.path.getsize(output_file) > 0:
            if self._verbose:
                logger.info("File: %s exists. Not downloading %s again", output_file, url)
            return DownloadOutcome(url, output_file)
        os.makedirs(self._download_dir, exist_ok=True)
        temp_file = output_file + ".tmp"
        error: str | None = None
        attempt = 0
        for attempt in range(1, self._max_retries + 2):
            if attempt > 1:
                time.sleep(self._retry_backoff_s * 2 ** (attempt - 2))
            success, error = self._download_to_path(url, temp_file)
            if success:
                os.replace(temp_file, output_file)
                if self._verbose:
                    size = os.path.getsize(output_file)
                    logger.info("Successfully downloaded %s to %s (%d bytes)", url, output_file, size)
                return DownloadOutcome(url, output_file, attempts=attempt, fetched=True)
            logger.warning("download of %s failed (try %d of %d): %s", url, attempt, self._max_retries + 1, error)
            if isinstance(error, NoRetry):
                break
        # A partial ``.tmp`` stays (as in NeMo Curator) and is overwritten from the start next time.
        logger.error("Failed to download to %s: %s", output_file, error)
        return DownloadOutcome(url, None, error or "unknown error", attempts=attempt)

    def num_workers_per_node(self) -> int | None:
        """At most this many concurrent downloads per node (``None``: no limit)."""
        return None


class FetchOptions(TypedDict, total=False):
    """``FetchingDownloader``'s keyword options, which its subclasses pass on unchanged."""

    max_retries: int
    retry_backoff_s: float
    timeout_s: float
    storage_options: dict[str, Any] | None


class FetchingDownloader(DocumentDownloader):
    """A downloader that needs no external program: HTTP(S) through the standard library, other URLs through fsspec.

    Files are named by their URL's path (``/`` -> ``-``); at most two downloads run per node, the
    limit Common Crawl, Wikimedia and arXiv each ask of a client. A subclass says where a URL is
    fetched from (``_source``: a mirror, a bucket) and may name files otherwise.

    Args:
        download_dir: where the files go.
        verbose: log every download.
        max_retries, retry_backoff_s: see ``DocumentDownloader`` (default 3 retries: NeMo's ``wget``
            retried too).
        timeout_s: socket timeout of one HTTP request (default 60 s).
        storage_options: fsspec options for non-HTTP URLs.
    """

    def __init__(self, download_dir: str, verbose: bool = False, **options: Unpack[FetchOptions]) -> None:
        unknown = sorted(set(options) - set(FetchOptions.__annotations__))
        if unknown:  # what a signature without ``**options`` would refuse, with the names it takes
            msg = (
                f"{type(self).__name__} got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"it takes {', '.join(FetchOptions.__annotations__)}"
            )
            raise ConfigTypeError(msg)
        super().__init__(
            download_dir,
            verbose,
            max_retries=options.get("max_retries", 3),
            retry_backoff_s=options.get("retry_backoff_s", 1.0),
        )
        self.timeout_s = options.get("timeout_s", 60.0)
        self.storage_options = options.get("storage_options") or {}

    def _source(self, url: str) -> str:
        """Where ``url`` is fetched from (the URL itself here)."""
        return url

    def _get_output_filename(self, url: str) -> str:
        return urlparse(url).path.lstrip("/").replace("/", "-") or posixpath.basename(url)

    def _download_to_path(self, url: str, path: str) -> tuple[bool, str | None]:
        return fetch_to_path(self._source(url), path, timeout_s=self.timeout_s, storage_options=self.storage_options)

    def num_workers_per_node(self) -> int | None:
        return 2


@dataclass
class DocumentDownloadStage(ProcessingStage[FileGroupTask, FileGroupTask]):
    """Downloads the URLs of a ``FileGroupTask``; the output lists the local files.

    Args:
        downloader: fetches one URL.
        on_error: ``"raise"`` ends the run at the first URL that cannot be fetched; ``"skip"``
            reports it in ``_metadata["download_failures"]`` (``{"url", "error", "attempts"}``)
            and the ``failed_downloads`` metric and goes on.
    """

    downloader: DocumentDownloader
    on_error: Literal["raise", "skip"] = "raise"
    resources = Resources(cpus=0.5)
    batch_size = None

    def __post_init__(self) -> None:
        if self.on_error not in ("raise", "skip"):
            msg = f"on_error must be 'raise' or 'skip', got {self.on_error!r}"
            raise ConfigError(msg)
        self.name = f"download_{type(self.downloader).__name__.lower()}"

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def process(self, task: FileGroupTask) -> FileGroupTask:
        local_files: list[str] = []
        failures: list[dict[str, object]] = []
        fetched = 0
        for url in task.data:
            # download() is NeMo Curator's entry point (a subclass may override it); it leaves its outcome.
            path = self.downloader.download(url)
            outcome = self.downloader.__dict__.pop("_last_outcome", None)
            if not isinstance(outcome, DownloadOutcome) or outcome.url != url:
                outcome = DownloadOutcome(url, path, None if path else "the downloader returned no file", attempts=1)
            if path is not None:
                local_files.append(path)
                fetched += outcome.fetched
                continue
            if self.on_error == "raise":
                reason = f"download failed after {outcome.attempts} tries: {outcome.error}"
                fix = (
                    "check the URL and the network, or report such URLs and go on with download_on_error='skip' "
                    "(on_error='skip' on a DocumentDownloadStage)"
                )
                raise BadInputError(url, reason, fix=fix)
            failures.append({"url": url, "error": outcome.error, "attempts": outcome.attempts})
        add_metrics(self, {"downloaded_files": fetched, "failed_downloads": len(failures)})
        metadata = {**task._metadata, "source_files": local_files}
        if failures:
            metadata["download_failures"] = [*task._metadata.get("download_failures", []), *failures]
        # Even with no file left the task flows on (as an empty group), so the report reaches the output.
        return FileGroupTask(
            dataset_name=task.dataset_name, data=local_files, _metadata=metadata, _stage_perf=task._stage_perf
        )

    def num_workers_per_node(self) -> int | None:
        return self.downloader.num_workers_per_node()
