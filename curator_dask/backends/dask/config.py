"""``DaskExecutorConfig``: every executor setting, validated once, with its default and meaning.

``DaskExecutor(config={...})`` takes a plain mapping (NeMo Curator's executor signature); it is
turned into this frozen record by ``DaskExecutorConfig.from_dict``, which rejects unknown keys
(suggesting the closest one) and out-of-range values (naming what is allowed). The README's
config table is checked against ``describe_fields()`` by the tests, so the two cannot drift.
"""

from __future__ import annotations

import difflib
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal

from curator_dask.errors import ConfigError

__all__ = ["DaskExecutorConfig"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class DaskExecutorConfig:
    """The settings of one ``DaskExecutor``; see each field's ``doc`` (``describe_fields()``)."""

    failure_policy: Literal["raise", "continue"] = field(
        default="raise",
        metadata=_doc('`"continue"` records failing batches in `result.failures` and goes on'),
    )
    max_retries: int = field(default=0, metadata=_doc("Dask retries of a chain that raised or whose worker died"))
    max_in_flight: int | None = field(
        default=None,
        metadata=_doc("chains running or queued on the cluster (bounds memory); `None`: 16 per worker thread"),
    )
    resume: Literal["auto"] | bool = field(
        default="auto",
        metadata=_doc("skip input partitions an earlier run of the same pipeline wrote completely (see below)"),
    )
    stall_timeout: float = field(
        default=600.0, metadata=_doc("seconds every worker may stay paused for memory before the run fails")
    )
    setup_timeout: float = field(
        default=3600.0,
        metadata=_doc("seconds a stage's `setup_on_node` + `setup` may take on one worker before the run fails"),
    )
    on_setup_error: Literal["raise", "exclude_worker"] = field(
        default="raise",
        metadata=_doc('`"exclude_worker"` retires workers whose `setup` failed and runs on the rest'),
    )
    worker_timeout: float = field(
        default=60.0, metadata=_doc("seconds to wait for a first worker on a cluster that has none")
    )
    progress: Literal["auto", "bar", "log", "off"] | bool = field(
        default="auto",
        metadata=_doc(
            'progress on stderr: `"bar"` live bars (tqdm; Jupyter widgets with ipywidgets), `"log"` a line per '
            'interval, `"off"`; `"auto"`: bars on a terminal or in Jupyter, else lines; `True`/`False`: auto/off'
        ),
    )
    progress_interval: float = field(
        default=10.0, metadata=_doc("seconds between progress log lines; bars appear after min(this, 2) s")
    )

    def __post_init__(self) -> None:
        _choice("failure_policy", self.failure_policy, ("raise", "continue"))
        _choice("on_setup_error", self.on_setup_error, ("raise", "exclude_worker"))
        if not (isinstance(self.resume, bool) or self.resume == "auto"):
            raise ConfigError(f"resume must be 'auto', True or False; got {self.resume!r}")
        _count("max_retries", self.max_retries, minimum=0)
        if self.max_in_flight is not None:
            _count("max_in_flight", self.max_in_flight, minimum=1)
        for name in ("stall_timeout", "setup_timeout", "worker_timeout", "progress_interval"):
            _seconds(name, getattr(self, name))
        if not isinstance(self.progress, bool) and self.progress not in ("auto", "bar", "log", "off"):
            allowed = "'auto', 'bar', 'log', 'off' (or True for 'auto', False for 'off')"
            msg = f"progress must be one of {allowed}; got {self.progress!r}"
            raise ConfigError(msg)

    @property
    def tolerate_failures(self) -> bool:
        """Whether failing batches are recorded and dropped instead of ending the run."""
        return self.failure_policy == "continue"

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> DaskExecutorConfig:
        """The config a ``DaskExecutor(config=...)`` mapping describes.

        Raises:
            ConfigError: for an unknown key (naming the closest known one) or a bad value.
        """
        values = dict(values or {})
        known = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in values if k not in known)
        if unknown:
            hints = [f"{k!r} -> {close[0]!r}" for k in unknown if (close := difflib.get_close_matches(k, known, n=1))]
            hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
            raise ConfigError(f"Unknown DaskExecutor config keys {unknown}{hint}; known keys: {', '.join(known)}")
        return cls(**values)

    @classmethod
    def describe_fields(cls) -> list[tuple[str, Any, str]]:
        """``(key, default, what it does)`` for every setting, in declaration order."""
        rows = []
        for f in fields(cls):
            default = f.default if f.default is not MISSING else None
            rows.append((f.name, default, f.metadata.get("doc", "")))
        return rows


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def _count(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be an int >= {minimum}; got {value!r}")


def _seconds(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{name} must be a positive number of seconds; got {value!r}")
