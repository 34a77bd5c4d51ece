"""The main job end to end: the English heuristic pipeline through DaskExecutor on the session
LocalCluster, checked document by document against the filters applied in this process; and the
Python pipeline checked to be the packaged YAML file's, whose filters are NeMo Curator's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.config import ConfigError
from curator_dask.config.instantiate import locate
from curator_dask.config.values import read_yaml
from curator_dask.examples.heuristic_english import (
    PIPELINE,
    english_heuristic_filters,
    heuristic_english_pipeline,
    removal_summary,
)
from curator_dask.examples.sample_corpus import write_sample_corpus
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.langid import LangIdFilter
from curator_dask.stages.text.modifiers import Modify, UnicodeReformatter

# A copy of NeMo Curator's own tutorials/.../heuristic_filter_english_pipeline.yaml.
NEMO_YAML = Path(__file__).parents[1] / "config" / "data" / "heuristic_filter_english_pipeline.yaml"


def _expected_ids(input_dir) -> set[str]:
    docs = pd.concat(pd.read_json(p, lines=True) for p in sorted(input_dir.glob("*.jsonl")))
    langid = LangIdFilter(lang="en")
    langid.load_model()
    fix = UnicodeReformatter()
    filters = [langid, *english_heuristic_filters()]
    kept = set()
    for doc_id, raw in zip(docs["id"], docs["text"], strict=True):
        text = fix.modify_document(raw)
        if all(f.keep_document(f.score_document(text)) for f in filters):
            kept.add(doc_id)
    return kept


def test_heuristic_pipeline_end_to_end(client, tmp_path):
    write_sample_corpus(tmp_path / "in", num_docs=300, num_files=3, seed=7)
    result = heuristic_english_pipeline(str(tmp_path / "in"), str(tmp_path / "out")).run(DaskExecutor(client=client))
    written = pd.read_parquet(tmp_path / "out")
    assert set(written["id"]) == _expected_ids(tmp_path / "in")
    assert len(written) == len(set(written["id"]))  # nothing written twice
    assert 0 < len(written) < 300  # the sample has junk for the filters to remove
    summary = removal_summary(result)
    assert f"documents read: 300   kept: {len(written)}" in summary
    assert [s.name for s in result.stages][:3] == ["file_partitioning", "jsonl_reader", "UnicodeReformatter"]


def _filter_entries(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(class path, arguments) of each ScoreFilter's filter in a pipeline file, NeMo's paths as ours."""
    stages = read_yaml(path)["stages"]
    nodes = [s["filter_obj"] for s in stages if "filter_obj" in s]
    return [
        (n["_target_"].replace("nemo_curator.", "curator_dask.", 1), {k: v for k, v in n.items() if k != "_target_"})
        for n in nodes
    ]


def test_packaged_filters_are_nemo_curators_english_cascade() -> None:
    ours = [e for e in _filter_entries(PIPELINE) if not e[0].endswith(".LangIdFilter")]
    theirs = _filter_entries(NEMO_YAML)
    assert len(theirs) == 28
    assert ours == theirs  # same classes, arguments and order
    built = english_heuristic_filters()
    assert [type(f) for f in built] == [locate(path) for path, _ in theirs]
    assert built[19].name == "repeating_top_3grams" and built[19]._max == 0.18  # arguments reach the objects


def _fingerprint(obj: Any) -> Any:
    return type(obj).__name__, {k: repr(v) for k, v in vars(obj).items()}


def test_python_arguments_reach_the_stages_as_given(tmp_path: Path) -> None:
    awkward = tmp_path / 'in: a #b "c" \\ é 👍'  # YAML would read ": " and " #" unquoted
    stages = heuristic_english_pipeline(awkward, tmp_path / "out", "body", None, "de").build()
    assert stages[0].file_paths == str(awkward)
    assert stages[0].files_per_partition is None
    modify, langid, *cascade, writer = stages[2:]
    assert isinstance(modify, Modify) and modify.input_fields == "body"
    assert isinstance(langid, ScoreFilter) and langid.filter_obj[0]._lang_codes == ["de"]
    assert all(isinstance(s, ScoreFilter) and s.text_field == ["body"] for s in cascade)
    assert [_fingerprint(s.filter_obj[0]) for s in cascade] == [_fingerprint(f) for f in english_heuristic_filters()]
    assert writer.path == str(tmp_path / "out") and writer.mode == "overwrite"
    # None keeps every language the identifier is confident of, as language=null on the command line.
    any_language = heuristic_english_pipeline(awkward, tmp_path / "out2", language=None).build()[3]
    assert any_language.filter_obj[0]._lang_codes == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"files_per_partition": "two"}, r"\(files_per_partition='two'\): files_per_partition must be a whole number"),
        ({"files_per_partition": 0}, r"files_per_partition must be a whole number >= 1, or None to group by size"),
        ({"text_field": None}, r"\(text_field=None\): text_field must be a column name \(a non-empty str\)"),
        ({"language": ""}, r"language must be a code such as 'en', or None for any"),
        ({"input_path": None}, r"input_path must be a JSONL file or folder \(a non-empty str or os.PathLike\)"),
    ],
)
def test_bad_arguments_are_named_before_any_stage_is_built(
    tmp_path: Path, arguments: dict[str, Any], message: str
) -> None:
    kwargs: dict[str, Any] = {"input_path": tmp_path / "in", "output_path": tmp_path / "out", **arguments}
    with pytest.raises(ConfigError, match=r"heuristic_english_pipeline.*" + message):
        heuristic_english_pipeline(**kwargs)
    assert not (tmp_path / "out").exists()  # the writer was never built
