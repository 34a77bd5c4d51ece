"""``hash_utils.get_deterministic_hash`` and ``column_utils.resolve_filename_column``."""

from __future__ import annotations

import hashlib

import pytest

from curator_dask.errors import ConfigError
from curator_dask.tasks import FileGroupTask
from curator_dask.tasks.tasks import deterministic_hash
from curator_dask.utils.column_utils import resolve_filename_column
from curator_dask.utils.hash_utils import get_deterministic_hash


def test_hash_is_sorted_sha256_prefix_with_the_seed_last() -> None:
    assert get_deterministic_hash(["b", "a"], "s") == hashlib.sha256(b"a|b|s").hexdigest()[:12]
    assert get_deterministic_hash(["a", "b"]) != get_deterministic_hash(["a", "b"], "other")
    assert len(get_deterministic_hash([])) == 12


def test_one_implementation_names_file_groups() -> None:
    assert deterministic_hash is get_deterministic_hash
    group = FileGroupTask(dataset_name="d", data=["/x/2.jsonl", "/x/1.jsonl"])
    assert group.get_deterministic_id() == get_deterministic_hash(["/x/1.jsonl", "/x/2.jsonl"])


def test_filename_column() -> None:
    assert (resolve_filename_column(True), resolve_filename_column(False)) == ("file_name", None)
    assert resolve_filename_column("src") == "src"
    with pytest.raises(ConfigError, match=r"Invalid value for add_filename_column: 3. Allowed: True"):
        resolve_filename_column(3)  # type: ignore[arg-type]
