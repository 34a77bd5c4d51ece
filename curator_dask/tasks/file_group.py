"""``FileGroupTask``: a group of input (or written) files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curator_dask.tasks.tasks import Task, deterministic_hash

__all__ = ["FileGroupTask"]


@dataclass(repr=False)  # keep Task.__repr__: a short line, never the payload
class FileGroupTask(Task[list[str]]):
    """A list of file paths plus the options a reader needs for them.

    Its deterministic id is the hash of its sorted paths, so a source partition keeps its id when
    other files are added to or removed from the input.
    """

    data: list[str] = field(default_factory=list)
    reader_config: dict[str, Any] = field(default_factory=dict)

    @property
    def num_items(self) -> int:
        return len(self.data)

    def validate(self) -> bool:
        if not isinstance(self.data, list):
            msg = f"FileGroupTask data must be a list of paths; got {type(self.data).__name__}"
            raise TypeError(msg)
        return len(self.data) > 0

    def get_deterministic_id(self) -> str:
        return deterministic_hash([str(p) for p in self.data])
