"""The corpus writers: files users' readers take, ids unique across them, nothing replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.errors import ConfigError, DuplicateIdError, OutputExistsError
from curator_dask.examples.corpus import EDGE_CASES, documents, near_duplicates, write_jsonl, write_parquet
from curator_dask.examples.sample_corpus import write_sample_corpus
from curator_dask.stages.deduplication.synthetic import make_corpus


def test_jsonl_files_deal_the_rows_round_robin_and_keep_every_text(tmp_path: Path) -> None:
    docs = documents(300, seed=0, mix=EDGE_CASES, size=300)  # texts with \x85, \u2028, \x1c, \r\n, ""
    paths = write_jsonl(tmp_path / "in", docs, 3)
    assert [p.name for p in paths] == ["part-00.jsonl", "part-01.jsonl", "part-02.jsonl"]
    for k, path in enumerate(paths):
        lines = path.read_text(encoding="utf-8").splitlines()  # the strictest splitter: one record a line
        assert path.read_bytes().isascii()
        records = [json.loads(line) for line in lines]
        assert records == docs.iloc[k::3][["id", "text"]].to_dict("records")
    read = pd.concat(pd.read_json(p, lines=True, dtype=False) for p in paths)
    assert read["id"].is_unique and sorted(read["text"]) == sorted(docs["text"])


def test_parquet_files_hold_the_chosen_columns(tmp_path: Path) -> None:
    corpus = near_duplicates(30, seed=1)
    paths = write_parquet(tmp_path / "in", corpus, 12, columns=("id", "text", "source"))
    assert [p.name for p in paths][-3:] == ["part-09.parquet", "part-10.parquet", "part-11.parquet"]
    read = pd.concat(pd.read_parquet(p) for p in paths)
    assert list(read.columns) == ["id", "text", "source"]
    assert read.sort_values("id").reset_index(drop=True).equals(corpus[["id", "text", "source"]])
    assert len(pd.read_parquet(paths[0])) == 3  # rows 0, 12 and 24


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "part-01.jsonl").write_text("the user's own file\n")
    message = r"write_jsonl: .*part-01.jsonl already exists; the corpus writers never replace a file. Write to a new"
    with pytest.raises(OutputExistsError, match=message):
        write_jsonl(folder, documents(10), 3)
    assert sorted(p.name for p in folder.iterdir()) == ["part-01.jsonl"]  # checked before writing any
    assert (folder / "part-01.jsonl").read_text() == "the user's own file\n"
    assert write_jsonl(folder, documents(10), 3, prefix="more")[0].name == "more-00.jsonl"


@pytest.mark.parametrize(
    ("docs", "kwargs", "error", "message"),
    [
        (
            [{"id": "a", "text": "x"}],
            {},
            ConfigError,
            r"write_jsonl\(docs=<list>\): docs must be a pandas DataFrame, such as documents\(\) or near_dup",
        ),
        (None, {"num_files": 0}, ConfigError, r"write_jsonl\(num_files=0\): num_files must be a whole number >= 1"),
        (
            None,
            {"columns": ("id", "body")},
            ConfigError,
            r"write_jsonl\(columns=\('id', 'body'\)\): columns must be a non-empty tuple of docs' columns "
            r"\(id, text, kind\); missing: \['body'\]",
        ),
        (None, {"prefix": "a/b"}, ConfigError, r"write_jsonl\(prefix='a/b'\): prefix must be a non-empty file name"),
        (
            pd.DataFrame({"id": ["a", "b", "a"], "text": ["x", "y", "z"]}),
            {},
            DuplicateIdError,
            r"write_jsonl: docs\['id'\] repeats \['a'\]; ids must be unique across the files. Give each document",
        ),
        (
            pd.DataFrame({"id": ["a", None], "text": ["x", "y"]}),
            {},
            DuplicateIdError,
            r"write_jsonl: docs\['id'\] has missing values; ids must be unique",
        ),
    ],
)
def test_bad_arguments_are_refused_before_any_file_is_made(
    tmp_path: Path, docs: object, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        write_jsonl(tmp_path / "in", documents(4) if docs is None else docs, **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "in").exists()


def test_ids_may_repeat_when_they_are_not_written(tmp_path: Path) -> None:
    docs = pd.DataFrame({"id": ["a", "a"], "text": ["x", "y"]})
    (path,) = write_jsonl(tmp_path, docs, columns=("text",))
    assert path.read_text().splitlines() == ['{"text": "x"}', '{"text": "y"}']


def test_the_old_names_give_the_new_generators_corpora(tmp_path: Path) -> None:
    paths = write_sample_corpus(tmp_path / "sample", num_docs=40, num_files=4, seed=2)
    assert [p.name for p in paths] == [f"sample-{k:02d}.jsonl" for k in range(4)]
    rows = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == documents(40, seed=2)["id"].tolist()
    assert make_corpus(50, duplicate_share=0.3, seed=8).equals(near_duplicates(50, seed=8, duplicate_share=0.3))
