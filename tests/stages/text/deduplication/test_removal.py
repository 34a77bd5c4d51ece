"""Applying removal ids: one batch (NeMo Curator's range read) and whole runs on the cluster."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import ConfigError, InputError, OutputOverlapError
from curator_dask.pipeline.workflow import WorkflowRunResult
from curator_dask.stages.deduplication import ExactDeduplicationWorkflow
from curator_dask.stages.deduplication.id_generator import CURATOR_DEDUP_ID_STR, IdGeneratorBase
from curator_dask.stages.text.deduplication import TextDuplicatesRemovalStage, TextDuplicatesRemovalWorkflow
from curator_dask.tasks import DocumentBatch


def _ids_file(path: Path, values: list[object], column: str = "id") -> str:
    pd.DataFrame({column: values}).to_parquet(path)
    return str(path)


def _batch(ids: list[object]) -> DocumentBatch:
    frame = pd.DataFrame({"text": [f"doc {i}" for i in ids], "doc_id": ids})
    return DocumentBatch(dataset_name="d", data=frame, _metadata={"source": "s"})


def test_one_batch_drops_listed_ids_and_counts_the_unmatched(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stage = TextDuplicatesRemovalStage(_ids_file(tmp_path / "r.parquet", [2, 4, 5, 99]), id_field="doc_id")
    with caplog.at_level(logging.WARNING):
        out = stage.process(_batch([1, 2, 3, 4, 5]))
    assert out.to_pandas()["doc_id"].tolist() == [1, 3]
    assert out._metadata == {"source": "s", "num_removed": 3, "num_unmatched_ids": 0}  # 99 is out of range
    stage = TextDuplicatesRemovalStage(
        _ids_file(tmp_path / "r2.parquet", [2, 3]), id_field="doc_id", drop_id_field=True
    )
    with caplog.at_level(logging.WARNING):
        out = stage.process(_batch([1, 3, 5]))
    assert out.to_pandas().columns.tolist() == ["text"]
    assert out._metadata["num_unmatched_ids"] == 1
    assert "1 of the 2 removal ids" in caplog.text


def test_bad_removal_input_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"have no id column 'missing' \(columns: \['text', 'doc_id'\]\)"):
        TextDuplicatesRemovalStage(_ids_file(tmp_path / "r.parquet", [1]), id_field="missing").process(_batch([1]))
    with pytest.raises(ConfigError, match=r"cannot read column 'id' of the removal ids at .*nowhere"):
        TextDuplicatesRemovalStage(str(tmp_path / "nowhere"), id_field="doc_id").process(_batch([1]))


def _documents(folder: Path) -> Path:
    folder.mkdir()
    for i in range(3):
        texts = [f"text {(i * 4 + j) % 5}" for j in range(4)]
        pd.DataFrame({"text": texts, "n": range(i * 4, i * 4 + 4)}).to_parquet(folder / f"{i}.parquet")
    return folder


def test_our_identification_ids_apply_to_the_original_files(tmp_path: Path, client: object) -> None:
    executor = DaskExecutor(client=client)
    source = _documents(tmp_path / "in")
    ExactDeduplicationWorkflow(output_path=str(tmp_path / "ids"), input_path=str(source), perform_removal=False).run(
        executor
    )
    result = TextDuplicatesRemovalWorkflow(
        input_path=str(source),
        ids_to_remove_path=str(tmp_path / "ids"),
        output_path=str(tmp_path / "out"),
        duplicate_id_field=CURATOR_DEDUP_ID_STR,
        drop_id_field=True,
    ).run(executor)
    kept = pd.read_parquet(tmp_path / "out")
    assert sorted(kept["text"]) == [f"text {i}" for i in range(5)]
    assert kept.columns.tolist() == ["text", "n"]
    assert isinstance(result, WorkflowRunResult) and result.workflow_name == "text_duplicates_removal"
    assert [len(t.data) for t in result.pipeline_tasks["removal"]] == [1, 1, 1]
    assert result.get_metadata("num_duplicates_removed") == 7 and result.get_metadata("total_time") > 0
    assert result.metadata["num_duplicates_removed"] == 7
    assert result.metadata["num_unmatched_ids"] == 0


def test_nemo_registry_ids_apply_and_unmatched_ids_are_reported(tmp_path: Path, client: object) -> None:
    source = _documents(tmp_path / "in")
    registry = IdGeneratorBase()  # as NeMo Curator's identification run numbers one file per task
    for path in sorted(source.iterdir()):
        registry.register_batch([str(path)], 4)
    registry.to_disk(str(tmp_path / "ids.json"))
    result = TextDuplicatesRemovalWorkflow(
        input_path=str(source),
        ids_to_remove_path=_ids_file(tmp_path / "remove.parquet", [0, 5, 11, 500]),
        output_path=str(tmp_path / "out"),
        input_files_per_partition=1,
        id_generator_path=str(tmp_path / "ids.json"),
    ).run(DaskExecutor(client=client))
    kept = pd.read_parquet(tmp_path / "out")
    assert sorted(kept[CURATOR_DEDUP_ID_STR]) == [i for i in range(12) if i not in (0, 5, 11)]
    assert result.metadata["num_removal_ids"] == 4
    assert result.metadata["num_unmatched_ids"] == 1


def test_output_inside_the_input_is_refused(tmp_path: Path, client: object) -> None:
    source = _documents(tmp_path / "in")
    workflow = TextDuplicatesRemovalWorkflow(
        input_path=str(source),
        ids_to_remove_path=_ids_file(tmp_path / "r.parquet", [1]),
        output_path=str(source / "out"),
    )
    with pytest.raises(OutputOverlapError):
        workflow.run(DaskExecutor(client=client))
    assert sorted(p.name for p in source.iterdir()) == ["0.parquet", "1.parquet", "2.parquet"]


def test_workflow_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="Cannot drop id_field 'x' when it is included in output_fields"):
        TextDuplicatesRemovalWorkflow("in", "ids", "out", id_field="x", output_fields=["x"], drop_id_field=True)
    with pytest.raises(ConfigError, match=r"input_filetype='csv' is not supported; pass one of \['jsonl', 'parquet'\]"):
        TextDuplicatesRemovalWorkflow("in", "ids", "out", input_filetype="csv")  # type: ignore[arg-type]
