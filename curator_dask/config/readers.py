"""Reader settings given on the command line (``--reader-option on_error=skip``).

A pipeline file names its reader's arguments once, but whether a run should stop at the first
bad record (``on_error=raise``) or skip and count bad records is often decided per run. Each
``key=value`` is set on every reader of the pipeline (``JsonlReader``, ``ParquetReader`` and
their reader stages), the value read as YAML (``skip``, ``true``, ``4``), and the reader's own
checks are run again on a copy, so that a bad value fails with the reader's message.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import yaml

from curator_dask.core.fields import did_you_mean
from curator_dask.errors import ConfigError

__all__ = ["parse_reader_options", "with_reader_options"]

_NOT_SETTABLE = ("file_paths", "name")  # where to read is the file's input_path; names key the report


def _reader_types() -> tuple[type, ...]:
    from curator_dask.stages.text.io.reader.base import BaseReader, BaseReaderComposite

    return BaseReaderComposite, BaseReader


def _settable(stage: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(stage) if f.init and not f.name.startswith("_")
            and f.name not in _NOT_SETTABLE]  # fmt: skip


def parse_reader_options(items: list[str]) -> dict[str, Any]:
    """``["on_error=skip"]`` as ``{"on_error": "skip"}``, values read as YAML scalars.

    Raises:
        ConfigError: for an item that is not ``key=value``.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--reader-option {item!r} is not key=value; write e.g. --reader-option on_error=skip")
        options[key.strip()] = yaml.safe_load(value) if value else ""
    return options


def with_reader_options(stages: list[Any], options: dict[str, Any], where: str) -> list[Any]:
    """``stages`` with every reader rebuilt with ``options`` set (the others as they are).

    Raises:
        ConfigError: when no stage is a reader, or a key is not a setting of a reader, naming
            the allowed keys; a value the reader refuses is reported with its own message.
    """
    if not options:
        return list(stages)
    readers = _reader_types()
    if not any(isinstance(s, readers) for s in stages):
        msg = f"{where}: --reader-option needs a reader stage (JsonlReader, ParquetReader) in 'stages:'; this has none"
        raise ConfigError(msg)
    result = []
    for stage in stages:
        if not isinstance(stage, readers):
            result.append(stage)
            continue
        allowed = _settable(stage)
        for key in options:
            if key not in allowed:
                msg = (
                    f"{where}: --reader-option {key}=...: {type(stage).__name__} has no setting {key!r}"
                    f"{did_you_mean(key, allowed)}; it takes {', '.join(allowed)}"
                )
                raise ConfigError(msg)
        changed = copy.deepcopy(stage)  # a copy keeps a composite's recorded with_ overrides
        for key, value in options.items():
            setattr(changed, key, value)
        try:
            changed.__post_init__()  # type: ignore[attr-defined]  # the reader's own checks see the new values
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{where}: --reader-option for {type(stage).__name__}: {e}") from e
        result.append(changed)
    return result
