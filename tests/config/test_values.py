"""Overrides and ``${var}`` interpolation of pipeline YAML values."""

from __future__ import annotations

import pytest

from curator_dask.config import ConfigError
from curator_dask.config.values import apply_overrides, interpolate


def test_overrides_parse_yaml_values_and_nest() -> None:
    overrides = ["a=3", "+b=null", "+cluster.n_workers=8", "+c=x=y", "cfg.k=w"]
    values = apply_overrides({"a": 1, "cluster": {"kind": "local"}, "cfg": {"k": "v"}}, overrides)
    assert values == {"a": 3, "b": None, "cluster": {"kind": "local", "n_workers": 8}, "c": "x=y", "cfg": {"k": "w"}}
    with pytest.raises(ConfigError, match=r"Override .oops. is not key=value; write e\.g\. input_path=/data/raw"):
        apply_overrides({}, ["oops"])


KNOWN = {"cluster": ("kind", "n_workers", "timeout"), "executor": None, "report_dir": ()}
VALUES = {"input_path": "???", "text_field": "text", "cfg": {"k": "v"}, "stages": [{"_target_": "x.Y"}]}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("text_feild=content", r"Override 'text_feild=content': p\.yaml defines no key 'text_feild' \(did you mean "
         r"'text_field'\?\); fix the spelling, or write \+text_feild=content to add a new key on purpose"),
        ("zzz=1", r"p\.yaml defines no key 'zzz' \(it defines cfg, cluster, executor, input_path, report_dir, stages, "
         r"text_field\); fix the spelling, or write \+zzz=1"),
        ("cfg.kk=1", r"p\.yaml defines no key 'cfg\.kk' \(did you mean 'cfg\.k'\?\); .* write \+cfg\.kk=1"),
        ("cluster.n_worker=8", r"Override 'cluster\.n_worker=8': cluster has no setting 'n_worker' \(did you mean "
         r"'n_workers'\?\); allowed: kind, n_workers, timeout"),
        ("stages.0.x=1", r"Override 'stages\.0\.x=1': stages is a list in p\.yaml, not a mapping, so it has no key "
         r"'0'; set a top-level value the YAML refers to with \$\{\.\.\.\} instead"),
        ("+text_field.x=1", r"text_field is a str in p\.yaml, not a mapping"),
    ],
)  # fmt: skip
def test_overrides_of_keys_the_file_lacks_name_the_closest(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        apply_overrides(VALUES, [override], where="p.yaml", known=KNOWN)


def test_sections_and_plus_keys_may_be_added() -> None:
    overrides = ["+extra=1", "++text_field=t", "cluster.n_workers=8", "executor.anything=2", "report_dir=/r"]
    values = apply_overrides(VALUES, overrides, where="p.yaml", known=KNOWN)
    assert values["extra"] == 1 and values["text_field"] == "t" and values["report_dir"] == "/r"
    assert values["cluster"] == {"n_workers": 8} and values["executor"] == {"anything": 2}
    assert VALUES["text_field"] == "text" and "extra" not in VALUES  # the file's values are not changed


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
