"""Checked settings: numbers in range, names with a suggestion, the documented fields of a dataclass.

``ClusterSpec`` and ``SlurmJob`` declare each number's allowed range once, as a ``Bound`` in the
field's metadata (``field(metadata={"bound": Bound(1)})``). The same bound checks the dataclass
(``check_bounds``, from ``__post_init__``) and parses the command-line flag that fills it
(``Bound.parse`` as argparse's ``type=``), so a flag and its setting cannot disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import inspect
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from curator_dask.errors import ConfigError

__all__ = ["NON_NEGATIVE_INT", "POSITIVE", "POSITIVE_INT", "Bound", "attribute_docs", "check_bounds", "did_you_mean"]

_ENTRY = re.compile(r"^ {4}(\w+): (.*)$")


@dataclass(frozen=True)
class Bound:
    """The numbers a setting allows.

    Attributes:
        low: the smallest value allowed (with ``strict``: the value every one must exceed).
        high: the largest value allowed.
        strict: values must be greater than ``low``, not equal to it.
        integer: only whole numbers (``bool`` is never taken for one).
        none: what ``None`` stands for, where it is allowed (empty: it is not).
    """

    low: float
    high: float = math.inf
    strict: bool = False
    integer: bool = True
    none: str = ""

    def describe(self, with_none: bool = True) -> str:
        """What is allowed, in words: ``a whole number >= 1, or None (one per core)``."""
        kind = "a whole number" if self.integer else "a number"
        if self.high < math.inf:
            text = f"{kind} from {self.low:g} to {self.high:g}"
        else:
            text = f"{kind} {'>' if self.strict else '>='} {self.low:g}"
        return f"{text}, or None ({self.none})" if self.none and with_none else text

    def allows(self, value: Any) -> bool:
        """Whether ``value`` is within the bound."""
        if value is None:
            return bool(self.none)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if (self.integer and not isinstance(value, int)) or not math.isfinite(value):
            return False
        above = value > self.low if self.strict else value >= self.low
        return above and value <= self.high

    def check(self, where: str, value: Any, fix: str = "") -> None:
        """Raise ``ConfigError`` naming ``where``, ``value`` and what is allowed, unless allowed."""
        if not self.allows(value):
            raise ConfigError(f"{where} must be {self.describe()}, got {value!r}{fix}")

    def parse(self, text: str) -> int | float:
        """``text`` as a number the bound allows; argparse's ``type=`` for the flag of a setting.

        Raises:
            argparse.ArgumentTypeError: saying what the flag takes (argparse adds the flag's name).
        """
        try:
            value: int | float | None = int(text) if self.integer else float(text)
        except ValueError:
            value = None
        if value is None or not self.allows(value):
            raise argparse.ArgumentTypeError(f"must be {self.describe(with_none=False)}, got {text!r}")
        return value


POSITIVE_INT = Bound(1)
NON_NEGATIVE_INT = Bound(0)
POSITIVE = Bound(0, strict=True, integer=False)


def check_bounds(obj: Any, fix: Callable[[str], str] = lambda name: "") -> None:
    """Check every field of the dataclass ``obj`` whose metadata has a ``bound``.

    Args:
        obj: a dataclass instance.
        fix: the text that follows the error for a field name (``"; pass --nodes N"``).

    Raises:
        ConfigError: for the first field out of its bound, as ``Class.field must be ..., got ...``.
    """
    for f in dataclasses.fields(obj):
        bound = f.metadata.get("bound")
        if bound is not None:
            bound.check(f"{type(obj).__name__}.{f.name}", getattr(obj, f.name), fix(f.name))


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to ``name``, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def attribute_docs(cls: type) -> dict[str, str]:
    """``{attribute: its text}`` from the ``Attributes:`` section of ``cls``'s Google-style docstring."""
    docs: dict[str, str] = {}
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    if "Attributes:" not in lines:
        return docs
    current = ""
    for line in lines[lines.index("Attributes:") + 1 :]:
        if line and not line.startswith(" "):
            break  # the next section
        entry = _ENTRY.match(line)
        if entry:
            current = entry.group(1)
            docs[current] = entry.group(2)
        elif current and line.strip():
            docs[current] += " " + line.strip()
    return docs
