"""NeMo Curator's own pipelines on DaskExecutor (issue 8), compared with curator_dask's twins.

The backend conformance pipeline is in the shared suite (``tests/backends/dask/test_conformance.py``,
collected here through ``test_nemo_conformance.py``).

Runs only where ``nemo_curator`` is installed (CI: ``.venv-interop``, see ``.ci/run``), on the
session LocalCluster with worker processes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from nemo_curator.backends.base import BaseStageAdapter as NemoBaseStageAdapter
from nemo_curator.stages.text.io.reader import JsonlReader
from nemo_curator.tasks import EmptyTask as NemoEmptyTask
from nemo_curator.tasks import FileGroupTask
from nemo_curator.utils.performance_utils import StagePerfStats

from curator_dask.backends.dask import DaskExecutor, interop
from curator_dask.backends.dask.adapter import DaskStageAdapter, adapter_factory
from curator_dask.errors import PipelineError, StageError
from curator_dask.examples.sample_corpus import write_sample_corpus
from tests.backends.dask.pipeline_parts import read_jsonl_folder, write_jsonl_inputs
from tests.interop.nemo_parts import AddLength, FailSome, ShuffleLike, heuristic_pipeline, nemo_pipeline

NUM_DOCS = 1200
NUM_FILES = 6


# -- reader, modifiers, 28 heuristic ScoreFilters and writer on generated text ------------------


@pytest.fixture(scope="module")
def heuristic(client, tmp_path_factory):
    root = tmp_path_factory.mktemp("interop_heuristic")
    write_sample_corpus(root / "input", num_docs=NUM_DOCS, num_files=NUM_FILES, seed=7)
    results = {
        framework: heuristic_pipeline(framework, str(root / "input"), str(root / framework)).run(
            DaskExecutor(client=client)
        )
        for framework in ("nemo_curator", "curator_dask")
    }
    return root, results


def test_heuristic_pipeline_keeps_the_same_documents(heuristic):
    root, _ = heuristic
    nemo, ours = read_jsonl_folder(root / "nemo_curator"), read_jsonl_folder(root / "curator_dask")
    assert 0 < len(nemo) < NUM_DOCS  # the cascade removed some documents and kept others
    pd.testing.assert_frame_equal(nemo, ours)  # same documents, same cleaned text, same columns


def test_heuristic_pipeline_returns_nemo_tasks_and_records(heuristic):
    _, results = heuristic
    nemo, ours = results["nemo_curator"], results["curator_dask"]
    assert len(nemo) == len(ours) == NUM_FILES
    assert all(isinstance(t, FileGroupTask) for t in nemo)
    assert sorted(t.task_id for t in nemo) == sorted(t.task_id for t in ours)  # same id derivation
    for task in nemo:
        assert all(type(p) is StagePerfStats for p in task._stage_perf)
    assert {tuple(p.stage_name for p in t._stage_perf) for t in nemo} == {
        tuple(p.stage_name for p in t._stage_perf) for t in ours
    }
    assert nemo.num_failed == 0 and nemo.stages[0].name == "file_partitioning"


# -- failure handling stays curator_dask's ----------------------------------------------------------


def _batches_pipeline(tmp_path: Path, *stages: object):
    write_jsonl_inputs(tmp_path / "input", 4, 8)
    return nemo_pipeline(JsonlReader(file_paths=str(tmp_path / "input"), files_per_partition=1), *stages)


def test_nemo_stage_error_names_stage_task_and_worker(client, tmp_path):
    with pytest.raises(StageError, match="cannot handle documents") as info:
        _batches_pipeline(tmp_path, FailSome({"doc-1"}, mode="raise")).run(DaskExecutor(client=client))
    assert info.value.stage_name == "fail_some"
    assert info.value.worker in client.scheduler_info()["workers"]
    assert re.fullmatch(r"0_[0-9a-f]{12}_0", info.value.task_ids[0])


def test_nemo_failed_tasks_are_recorded_and_dropped(client, tmp_path):
    result = _batches_pipeline(tmp_path, FailSome({"doc-1", "doc-2"})).run(DaskExecutor(client=client))
    assert len(result) == 2  # four batches, two of which held a bad document
    assert sorted(f.stage_name for f in result.failures) == ["fail_some", "fail_some"]


# -- refusals, detection and the light import -------------------------------------------------------


def test_ray_only_stage_is_refused_before_any_work(client, tmp_path):
    calls = tmp_path / "calls.log"
    pipeline = _batches_pipeline(tmp_path, AddLength("n", str(calls)), ShuffleLike())
    with pytest.raises(PipelineError) as info:
        pipeline.run(DaskExecutor(client=client))
    message = str(info.value)
    assert "'shuffle_like'" in message and "is_shuffle_stage=True" in message
    assert "curator_dask.stages.deduplication.fuzzy" in message
    assert "curator_dask.stages.deduplication.exact" in message
    assert not calls.exists()


@pytest.mark.parametrize("kind", ["fuzzy", "exact", "semantic"])
def test_deduplication_stages_are_refused_with_their_equivalent(client, kind):
    module = f"nemo_curator.stages.deduplication.{kind}.stage_like"
    stage_cls = type(f"{kind.title()}StageLike", (ShuffleLike,), {"__module__": module, "name": f"{kind}_like"})
    with pytest.raises(PipelineError, match=rf"curator_dask\.stages\.deduplication\.{kind}\b"):
        DaskExecutor(client=client).execute([stage_cls()])


def test_reader_with_ray_id_generator_is_refused(client, tmp_path):
    pipeline = nemo_pipeline(JsonlReader(file_paths=str(tmp_path), _generate_ids=True))
    with pytest.raises(PipelineError, match=r"'jsonl_reader'.*id-generator actor.*AddId"):
        pipeline.run(DaskExecutor(client=client))


def test_detection_and_seeding():
    nemo_reader = JsonlReader(file_paths="x").decompose()[1]
    assert interop.is_nemo_stage(nemo_reader) and interop.is_nemo_stage(type(nemo_reader))
    assert interop.is_nemo_stage(AddLength)
    assert interop.is_nemo_task(NemoEmptyTask()) and not interop.is_nemo_stage(NemoEmptyTask())
    from curator_dask.stages.text.io.reader import JsonlReader as OurReader

    our_reader = OurReader(file_paths="x").decompose()[1]
    assert not interop.is_nemo_stage(our_reader)
    assert type(interop.seed_tasks([nemo_reader])[0]) is NemoEmptyTask
    assert isinstance(adapter_factory(nemo_reader)(nemo_reader), NemoBaseStageAdapter)  # NeMo Curator's own
    assert adapter_factory(our_reader) is DaskStageAdapter


def test_curator_dask_imports_no_nemo_curator():
    probe = (
        "import sys, curator_dask\n"
        "from curator_dask.backends.dask import DaskExecutor, interop\n"
        "from curator_dask.stages.text.io.reader import JsonlReader\n"
        "DaskExecutor; interop.is_nemo_stage(JsonlReader(file_paths='x'))\n"
        "print('nemo_curator' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False"
