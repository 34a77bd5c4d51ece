"""Bounds that check a setting and parse its flag alike; docs of every field a flag is made from."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from curator_dask.core import ClusterSpec, SlurmJob
from curator_dask.core.fields import NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, Bound, attribute_docs, did_you_mean
from curator_dask.errors import ConfigError


def test_bounds_describe_allow_and_parse() -> None:
    assert POSITIVE_INT.describe() == "a whole number >= 1" and POSITIVE.describe() == "a number > 0"
    assert Bound(1, none="all").describe() == "a whole number >= 1, or None (all)"
    assert Bound(0, high=65535).describe() == "a whole number from 0 to 65535"
    assert [POSITIVE_INT.allows(v) for v in (1, 0, -1, True, 1.0, None)] == [True] + [False] * 5
    assert [POSITIVE.allows(v) for v in (0.5, 3, 0, float("inf"), float("nan"))] == [True, True, False, False, False]
    assert NON_NEGATIVE_INT.parse("0") == 0 and POSITIVE.parse("2.5") == 2.5
    for bound, text in [(POSITIVE_INT, "0"), (POSITIVE_INT, "-1"), (POSITIVE_INT, "2.5"), (POSITIVE, "nan")]:
        with pytest.raises(argparse.ArgumentTypeError, match=f"^must be {bound.describe()}, got '{text}'$"):
            bound.parse(text)
    with pytest.raises(ConfigError, match=r"^where must be a whole number >= 1, got 0; fix it$"):
        POSITIVE_INT.check("where", 0, "; fix it")


def test_did_you_mean() -> None:
    assert did_you_mean("n_worker", ["kind", "n_workers"]) == " (did you mean 'n_workers'?)"
    assert did_you_mean("zzz", ["kind", "n_workers"]) == ""


@pytest.mark.parametrize("cls", [ClusterSpec, SlurmJob])
def test_every_field_is_documented(cls: type) -> None:
    docs = attribute_docs(cls)
    assert list(docs) == [f.name for f in dataclasses.fields(cls)]
    assert all(text and "  " not in text for text in docs.values())
