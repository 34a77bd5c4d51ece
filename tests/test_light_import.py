"""Importing the core API loads no GPU library and no ``distributed``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("cudf", "dask_cuda", "rmm", "cupy", "torch", "distributed")
CORE_MODULES = (
    "curator_dask",
    "curator_dask.pipeline",
    "curator_dask.stages",
    "curator_dask.tasks",
    "curator_dask.backends.base",
    "curator_dask.metrics",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_core_import_loads_no_heavy_module() -> None:
    assert _loaded_after("\n".join(f"import {m}" for m in CORE_MODULES)) == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_each_core_module_alone_is_light(module: str) -> None:
    assert _loaded_after(f"import {module}") == []


def test_dask_executor_is_loaded_on_first_use() -> None:
    loaded = _loaded_after("import curator_dask\nassert curator_dask.DaskExecutor.__name__ == 'DaskExecutor'")
    assert "distributed" in loaded
