"""``FileGroupTask``: deterministic content ids and a payload that stays a list."""

from __future__ import annotations

import hashlib
import pickle

import pytest

from curator_dask.tasks import FileGroupTask
from curator_dask.tasks.tasks import deterministic_hash

PATHS = ["/data/b.jsonl", "/data/a.jsonl", "/data/c.jsonl"]


def _expected_id(paths: list[str]) -> str:
    return hashlib.sha256(("|".join(sorted(paths)) + "|").encode()).hexdigest()[:12]


def test_deterministic_id_is_first_12_hex_of_sha256_of_sorted_paths() -> None:
    task = FileGroupTask(dataset_name="ds", data=list(PATHS))
    assert task.get_deterministic_id() == _expected_id(PATHS)
    assert len(task.get_deterministic_id()) == 12
    int(task.get_deterministic_id(), 16)  # hex


def test_deterministic_id_does_not_depend_on_path_order() -> None:
    a = FileGroupTask(dataset_name="ds", data=list(PATHS))
    b = FileGroupTask(dataset_name="other", data=list(reversed(PATHS)))
    assert a.get_deterministic_id() == b.get_deterministic_id()


def test_deterministic_id_differs_for_different_paths() -> None:
    a = FileGroupTask(dataset_name="ds", data=PATHS[:2])
    b = FileGroupTask(dataset_name="ds", data=PATHS[1:])
    assert a.get_deterministic_id() != b.get_deterministic_id()


def test_deterministic_hash_seed_is_appended() -> None:
    assert deterministic_hash(["x"], seed="s") == hashlib.sha256(b"x|s").hexdigest()[:12]


def test_num_items_counts_files() -> None:
    assert FileGroupTask(dataset_name="ds", data=list(PATHS)).num_items == 3


def test_reader_config_defaults_to_a_fresh_dict() -> None:
    a, b = FileGroupTask(dataset_name="ds", data=["x"]), FileGroupTask(dataset_name="ds", data=["y"])
    a.reader_config["fields"] = ["text"]
    assert b.reader_config == {}


def test_empty_group_constructs_but_does_not_validate() -> None:
    assert FileGroupTask(dataset_name="ds", data=[]).validate() is False


@pytest.mark.parametrize("data", [("a", "b"), "a.jsonl", {"a"}, None])
def test_non_list_data_raises_type_error(data: object) -> None:
    with pytest.raises(TypeError, match="FileGroupTask data must be a list"):
        FileGroupTask(dataset_name="ds", data=data)  # type: ignore[arg-type]


def test_data_stays_a_python_list_through_pickle() -> None:
    task = FileGroupTask(dataset_name="ds", data=list(PATHS), reader_config={"fields": ["text"]})
    task._set_task_id("0", task.get_deterministic_id())
    clone = pickle.loads(pickle.dumps(task))
    assert type(clone.data) is list
    assert clone.data == PATHS
    assert clone.reader_config == {"fields": ["text"]}
    assert clone.task_id == task.task_id
