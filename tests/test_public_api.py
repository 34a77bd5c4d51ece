"""The public surface: every package ``__all__`` is sorted and every name in it imports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import curator_dask

PACKAGE_ROOT = Path(curator_dask.__file__).parent
OPTIONAL_DEPENDENCIES = {"cudf", "cupy", "dask_cuda", "rmm", "torch", "dask_cudf", "pynvml"}


def _module_name(init: Path) -> str:
    return ".".join(init.parent.relative_to(PACKAGE_ROOT.parent).parts)


def _declared_all(init: Path) -> list[str] | None:
    """``__all__`` as written in the file (read without importing it), or as built from submodules' lists."""
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            try:
                return list(ast.literal_eval(node.value))
            except ValueError:  # e.g. ``string.__all__ + repetition.__all__``: only the module has the result
                return list(importlib.import_module(_module_name(init)).__all__)
    return None


PACKAGES = {
    _module_name(init): names
    for init in sorted(PACKAGE_ROOT.rglob("__init__.py"))
    if (names := _declared_all(init)) is not None
}


def test_the_core_packages_are_covered() -> None:
    expected = {"curator_dask", "curator_dask.tasks", "curator_dask.stages", "curator_dask.pipeline"}
    assert expected <= set(PACKAGES)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_all_is_sorted_and_unique(package: str) -> None:
    names = PACKAGES[package]
    assert names == sorted(names), f"{package}.__all__ is not sorted"
    assert len(names) == len(set(names)), f"{package}.__all__ has duplicates"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_name_in_all_is_importable(package: str) -> None:
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in OPTIONAL_DEPENDENCIES:
            pytest.skip(f"{package} needs the optional dependency {e.name}")
        raise
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names missing attributes: {missing}"


def test_top_level_exports() -> None:
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.pipeline import Pipeline
    from curator_dask.tasks import DocumentBatch

    assert curator_dask.Pipeline is Pipeline
    assert curator_dask.DocumentBatch is DocumentBatch
    assert curator_dask.DaskExecutor is DaskExecutor
    assert isinstance(curator_dask.__version__, str)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = curator_dask.nope  # type: ignore[attr-defined]
