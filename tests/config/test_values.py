"""Overrides and ``${var}`` interpolation of pipeline YAML values."""

from __future__ import annotations

import pytest

from curator_dask.config import ConfigError
from curator_dask.config.values import apply_overrides, interpolate


def test_overrides_parse_yaml_values_and_nest() -> None:
    values = apply_overrides({"a": 1, "cluster": {"kind": "local"}}, ["a=3", "b=null", "cluster.n_workers=8", "c=x=y"])
    assert values == {"a": 3, "b": None, "cluster": {"kind": "local", "n_workers": 8}, "c": "x=y"}
    with pytest.raises(ConfigError, match=r"Override .oops. is not key=value; write e\.g\. input_path=/data/raw"):
        apply_overrides({}, ["oops"])


def test_whole_references_keep_their_type_and_embedded_ones_format() -> None:
    use = {"n": "${n}", "path": "${sub}/x-${n}", "k": "${cfg.k}", "none": "${nothing}"}
    values = {"n": 2, "root": "/d", "sub": "${root}/in", "cfg": {"k": "v"}, "use": use, "nothing": None}
    assert interpolate(values)["use"] == {"n": 2, "path": "/d/in/x-2", "k": "v", "none": None}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"a": "${b}"}, r"\$\{b\} refers to a key that is not defined; add 'b:' or pass b=..."),
        ({"a": "${b}", "b": "${a}"}, r"refers to itself through a -> b -> a"),
        ({"a": "${b}", "b": "???"}, "b is required"),
    ],
)
def test_bad_references_are_named(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        interpolate(values, keys=["a"])


def test_only_requested_keys_are_resolved() -> None:
    assert interpolate({"a": "${missing}", "b": 1}, keys=["b"]) == {"a": "${missing}", "b": 1}
