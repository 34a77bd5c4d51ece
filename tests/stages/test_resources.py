"""``Resources``: GPU fields, the memory-to-fraction conversion and ``requires_gpu``."""

from __future__ import annotations

import sys

import pytest

from curator_dask.stages import Resources
from curator_dask.stages import resources as resources_module


@pytest.fixture
def gpu_with_40_gb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources_module, "_gpu_memory_gb", lambda: 40.0)


def test_defaults_are_one_cpu_and_no_gpu() -> None:
    res = Resources()
    assert (res.cpus, res.gpu_memory_gb, res.gpus) == (1.0, 0.0, 0.0)
    assert res.requires_gpu is False


def test_both_gpu_fields_raise_value_error() -> None:
    with pytest.raises(ValueError, match="Cannot specify both gpus and gpu_memory_gb"):
        Resources(gpus=1.0, gpu_memory_gb=8.0)


@pytest.mark.parametrize("kwargs", [{"cpus": -1.0}, {"gpus": -0.5}, {"gpu_memory_gb": -2.0}])
def test_negative_values_raise_value_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        Resources(**kwargs)


@pytest.mark.usefixtures("gpu_with_40_gb")
@pytest.mark.parametrize(("memory_gb", "fraction"), [(20.0, 0.5), (10.0, 0.2), (1.0, 0.1), (40.0, 1.0)])
def test_gpu_memory_is_converted_to_a_fraction_of_one_gpu(memory_gb: float, fraction: float) -> None:
    res = Resources(gpu_memory_gb=memory_gb)
    assert res.gpus == pytest.approx(fraction)
    assert res.gpu_memory_gb == memory_gb
    assert res.requires_gpu is True


@pytest.mark.usefixtures("gpu_with_40_gb")
def test_more_memory_than_one_gpu_holds_raises() -> None:
    with pytest.raises(ValueError, match=r"use Resources\(gpus=N\)"):
        Resources(gpu_memory_gb=80.0)


def test_without_nvml_the_fallback_gpu_size_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml -> ImportError
    assert resources_module._gpu_memory_gb() == resources_module._FALLBACK_GPU_MEMORY_GB


@pytest.mark.parametrize(
    ("res", "expected"), [(Resources(gpus=0.5), True), (Resources(gpus=2.0), True), (Resources(cpus=8.0), False)]
)
def test_requires_gpu(res: Resources, expected: bool) -> None:
    assert res.requires_gpu is expected
