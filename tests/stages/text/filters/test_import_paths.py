"""The heuristic filters at every import path NeMo Curator users write, each listed once by its family."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

from curator_dask.config import ConfigError, load_pipeline_config
from curator_dask.stages.text.filters import heuristic
from curator_dask.stages.text.filters.heuristic import string
from curator_dask.stages.text.filters.heuristic.code import code
from curator_dask.stages.text.filters.heuristic.repetition import repetition

FILTERS = "curator_dask.stages.text.filters"


def test_each_filter_is_defined_and_listed_once_in_its_family_module() -> None:
    assert set(string.__all__).isdisjoint(repetition.__all__)
    assert heuristic.__all__ == sorted(string.__all__ + repetition.__all__)
    for module in (string, repetition, code):
        assert [getattr(module, name).__module__ for name in module.__all__] == [module.__name__] * len(module.__all__)


def test_no_private_module_under_heuristic() -> None:
    found = [m.name for m in pkgutil.walk_packages(heuristic.__path__, f"{heuristic.__name__}.")]
    assert f"{FILTERS}.heuristic.repetition.repetition" in found
    assert [name for name in found if name.rsplit(".", 1)[-1].startswith("_")] == []


@pytest.mark.parametrize("name", heuristic.__all__)
def test_every_nemo_curator_path_gives_the_same_class(name: str) -> None:
    family = "string" if name in string.__all__ else "repetition"
    paths = [f"{FILTERS}.heuristic.{family}", f"{FILTERS}.heuristic", FILTERS, f"{FILTERS}.heuristic_filter"]
    if family == "repetition":
        paths.append(f"{FILTERS}.heuristic.repetition.repetition")  # NeMo Curator 1.2+'s defining module
    assert {getattr(importlib.import_module(path), name) for path in paths} == {getattr(heuristic, name)}


def _pipeline_file(path: Path, *filter_targets: str) -> Path:
    score_filter = "nemo_curator.stages.text.filters.score_filter.ScoreFilter"
    entries = [f"  - _target_: {score_filter}\n    filter_obj: {{_target_: {t}}}\n" for t in filter_targets]
    path.write_text("stages:\n" + "".join(entries))
    return path


@pytest.mark.skipif(importlib.util.find_spec("nemo_curator") is not None, reason="NeMo's paths then load NeMo")
def test_nemo_curator_1_0_and_1_2_targets_load_and_a_missing_filter_is_named(tmp_path: Path) -> None:
    path = _pipeline_file(
        tmp_path / "p.yaml",
        "nemo_curator.stages.text.filters.heuristic_filter.WordCountFilter",  # 1.0 and 1.1
        "nemo_curator.stages.text.filters.heuristic.repetition.RepeatedLinesFilter",  # 1.2 on
    )
    stages = load_pipeline_config(path).stages
    assert [type(s.filter_obj[0]).__name__ for s in stages] == ["WordCountFilter", "RepeatedLinesFilter"]
    _pipeline_file(path, "nemo_curator.stages.text.filters.heuristic_filter.HistogramFilters")
    with pytest.raises(ConfigError, match=r"^Cannot import _target_ "
                       r"'nemo_curator\.stages\.text\.filters\.heuristic_filter\.HistogramFilters' \(read as "
                       r"'curator_dask\.stages\.text\.filters\.heuristic_filter\.HistogramFilters'\); check the "
                       r"spelling of the module and class name$"):  # fmt: skip
        load_pipeline_config(path)


@pytest.mark.parametrize("name", code.__all__)
def test_code_filters_at_nemo_paths(name: str) -> None:
    paths = ["heuristic.code", "heuristic.code.code", "", "code"]  # 1.2+, its module, 1.0's package and module
    found = {getattr(importlib.import_module(f"{FILTERS}.{p}".rstrip(".")), name) for p in paths}
    assert found == {getattr(code, name)} and not hasattr(heuristic, name)  # NeMo 1.4's heuristic lacks them


@pytest.mark.parametrize(
    ("name", "paths"),
    [
        ("HistogramFilter", ["histogram", "histogram.histogram", "heuristic_filter", ""]),
        ("TokenCountFilter", ["token", "token.token_count", "heuristic_filter", ""]),
    ],
)
def test_histogram_and_token_filters_at_nemo_paths(name: str, paths: list[str]) -> None:
    found = {getattr(importlib.import_module(f"{FILTERS}.{path}".rstrip(".")), name) for path in paths}
    assert len(found) == 1 and next(iter(found)).__module__ == f"{FILTERS}.{paths[1]}"
