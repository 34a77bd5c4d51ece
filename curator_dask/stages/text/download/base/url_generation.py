"""``URLGenerator`` and the source stage that turns its URLs into one ``FileGroupTask`` each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from curator_dask.backends.utils import RayStageSpecKeys
from curator_dask.errors import ConfigError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.resources import Resources
from curator_dask.tasks import EmptyTask, FileGroupTask

__all__ = ["URLGenerationStage", "URLGenerator"]


class URLGenerator(ABC):
    """Generates the URLs a download stage fetches, from a few parameters (a snapshot range, a dump date)."""

    @abstractmethod
    def generate_urls(self) -> list[str]:
        """The URLs to download, in a stable order (so that ``url_limit`` keeps the same ones)."""
        ...


@dataclass
class URLGenerationStage(ProcessingStage[EmptyTask, FileGroupTask]):
    """Source stage: one ``FileGroupTask`` per URL, so downloads spread over the workers.

    Args:
        url_generator: where the URLs come from.
        limit: keep only the first ``limit`` URLs (``None``: all).
    """

    url_generator: URLGenerator
    limit: int | None = None
    resources = Resources(cpus=0.5)

    def __post_init__(self) -> None:
        if self.limit is not None and (
            isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0
        ):
            msg = f"url_limit must be a non-negative int or None, got {self.limit!r}; pass e.g. url_limit=10"
            raise ConfigError(msg)
        self.name = f"url_generation_{type(self.url_generator).__name__.lower()}"

    def inputs(self) -> tuple[list[str], list[str]]:
        return [], []

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], []

    def process(self, task: EmptyTask) -> list[FileGroupTask]:
        urls = list(self.url_generator.generate_urls())
        if self.limit is not None:
            urls = urls[: self.limit]
        return [
            FileGroupTask(dataset_name=task.dataset_name, data=[url], _metadata={"source_url": url}) for url in urls
        ]

    def num_workers(self) -> int | None:
        return 1

    def ray_stage_spec(self) -> dict[str, Any]:
        """NeMo Curator's Ray hint: this stage fans one task out into one per URL; unused on Dask."""
        return {RayStageSpecKeys.IS_FANOUT_STAGE: True}

    def xenna_stage_spec(self) -> dict[str, Any]:
        """NeMo Curator's Xenna hint: none; unused on Dask."""
        return {}
