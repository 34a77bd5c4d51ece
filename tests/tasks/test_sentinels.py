"""Sentinel tasks: payload-less markers that never reach the next stage."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from curator_dask.tasks import EmptyTask, FailedTask, NoneTask, SentinelTask, Task

SENTINELS: list[Callable[..., SentinelTask]] = [EmptyTask, NoneTask, FailedTask]


def test_empty_task_is_the_root_with_id_zero() -> None:
    task = EmptyTask()
    assert task.task_id == "0"
    assert task.dataset_name == "empty"


def test_task_id_is_not_an_init_argument() -> None:
    with pytest.raises(TypeError):
        EmptyTask(task_id="1")  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", SENTINELS)
def test_sentinels_carry_no_data(cls: Callable[..., SentinelTask]) -> None:
    task = cls()
    assert isinstance(task, Task)
    assert task.data is None
    assert task.num_items == 0
    assert task.validate() is True


@pytest.mark.parametrize("cls", SENTINELS)
def test_sentinel_with_data_raises_type_error(cls: Callable[..., SentinelTask]) -> None:
    with pytest.raises(TypeError, match="carries no data"):
        cls(data=[1])


@pytest.mark.parametrize("cls", [NoneTask, FailedTask])
def test_other_sentinels_start_without_an_id(cls: Callable[..., SentinelTask]) -> None:
    assert cls().task_id == ""


def test_failed_task_keeps_its_error_through_pickle() -> None:
    task = FailedTask(error="boom")
    assert pickle.loads(pickle.dumps(task)).error == "boom"


def test_sentinels_have_no_deterministic_id() -> None:
    assert all(cls().get_deterministic_id() is None for cls in SENTINELS)
