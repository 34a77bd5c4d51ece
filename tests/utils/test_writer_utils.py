"""``writer_utils``: single side files, kept unless overwrite says otherwise, written whole."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.utils.writer_utils import JsonEncoderCustom, write_bytes, write_csv, write_json, write_parquet


def test_an_existing_file_is_kept_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dest = tmp_path / "a.bin"
    dest.write_bytes(b"old")
    with caplog.at_level(logging.WARNING):
        write_bytes(b"new", dest, "summary", "clip.mp4", verbose=False)
    assert dest.read_bytes() == b"old"
    assert "already exists, skipping (pass overwrite=True" in caplog.text


def test_overwrite_replaces_and_leaves_no_temporary_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dest = tmp_path / "deep" / "a.bin"
    write_bytes(b"one", dest, "summary", "clip.mp4", verbose=False)
    with caplog.at_level(logging.INFO):
        write_bytes(b"two", dest, "summary", "clip.mp4", verbose=True, overwrite=True)
    assert dest.read_bytes() == b"two"
    assert [p.name for p in dest.parent.iterdir()] == ["a.bin"]
    assert "Writing summary for clip.mp4" in caplog.text


def test_backup_and_overwrite_is_not_implemented(tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    dest.write_bytes(b"old")
    with pytest.raises(NotImplementedError, match="Backup and overwrite is not implemented"):
        write_bytes(b"new", dest, "summary", "clip.mp4", verbose=False, backup_and_overwrite=True)
    assert dest.read_bytes() == b"old"


def test_json_csv_and_parquet(tmp_path: Path) -> None:
    key = uuid.UUID(int=5)
    write_json({"id": key}, tmp_path / "a.json", "meta", "v", verbose=False)
    assert json.loads((tmp_path / "a.json").read_text()) == {"id": str(key)}
    assert json.dumps([key], cls=JsonEncoderCustom) == f'["{key}"]'
    with pytest.raises(TypeError):
        json.dumps({1, 2}, cls=JsonEncoderCustom)
    write_csv(tmp_path / "a.csv", "rows", "v", [["a", "b,c"], ["1", '"q"']], verbose=False)
    assert (tmp_path / "a.csv").read_bytes() == b'a,"b,c"\r\n1,"""q"""\r\n'
    write_parquet([{"x": "1"}, {"x": "2"}], tmp_path / "a.parquet", "table", "v", verbose=False)
    assert pd.read_parquet(tmp_path / "a.parquet")["x"].tolist() == ["1", "2"]
