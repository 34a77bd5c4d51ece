"""The user's own code reaches the workers: a stage class from a module only the client can import
runs on real ``dask worker`` processes started in another directory; where it still cannot, the
error names the module and the fix. A setup that never returns fails the run within setup_timeout."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from curator_dask.backends.dask import DaskExecutor
from curator_dask.errors import StageError, StageSetupError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.text.io.reader import JsonlReader
from curator_dask.stages.text.io.writer import JsonlWriter
from tests.backends.dask.pipeline_parts import MakeBatches, write_jsonl_inputs
from tests.backends.dask.processes import loopback_cluster

pytestmark = pytest.mark.slow

SHOUT = '''
from curator_dask.stages import ProcessingStage
from curator_dask.tasks import DocumentBatch
import {helpers}


class Shout(ProcessingStage[DocumentBatch, DocumentBatch]):
    name = "shout"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        task.data["text"] = task.data["text"].map({helpers}.shout)
        return task


class ShoutLater(Shout):
    name = "shout_later"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        import {helpers}_late  # imported only when it runs, on the worker
        return task
'''


@pytest.fixture
def user_code(tmp_path: Path) -> Iterator[Path]:
    """Two modules of the user's, importable here only: ``mystages`` uses ``myhelpers``."""
    folder = tmp_path / "usercode"
    folder.mkdir()
    (folder / "myhelpers.py").write_text("def shout(text):\n    return text.upper() + '!'\n")
    (folder / "myhelpers_late.py").write_text("")
    (folder / "mystages.py").write_text(textwrap.dedent(SHOUT.format(helpers="myhelpers")))
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in ("mystages", "myhelpers", "myhelpers_late"):
            sys.modules.pop(name, None)


def test_a_stage_from_the_users_own_module_runs_on_workers_started_elsewhere(tmp_path, user_code):
    import mystages

    write_jsonl_inputs(tmp_path / "in", 3, 9)
    elsewhere = tmp_path / "workers-run-here"
    elsewhere.mkdir()
    with loopback_cluster(tmp_path, {"w1": "127.0.0.1", "w2": "127.0.0.1"}, cwd=elsewhere) as (_, client):
        assert not any(client.run(lambda: __import__("importlib.util").util.find_spec("mystages") is not None).values())
        reader, writer = JsonlReader(file_paths=str(tmp_path / "in")), JsonlWriter(path=str(tmp_path / "out"))
        Pipeline("shout", stages=[reader, mystages.Shout(), writer]).run(
            DaskExecutor(client=client, config={"progress": False})
        )
        late = (
            r"Stage 'shout_later' failed.*No module named 'myhelpers_late'.*The worker cannot import 'myhelpers_late': "
            r"install it in the workers' environment, or send your own module with client.upload_file"
        )
        with pytest.raises(StageError, match=late):
            Pipeline("late", stages=[MakeBatches(1), mystages.ShoutLater()]).run(
                DaskExecutor(client=client, config={"progress": False})
            )
    rows = [json.loads(line) for f in (tmp_path / "out").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(rows) == 9 and all(r["text"].endswith("!") and r["text"][:-1] == r["text"][:-1].upper() for r in rows)


SLEEPY = '''
import time
from curator_dask.stages import ProcessingStage


class NeverReady(ProcessingStage):
    name = "never_ready"

    def setup(self, worker_metadata=None):
        time.sleep(120)

    def process(self, task):
        return task
'''


def test_a_setup_that_never_returns_fails_within_setup_timeout(tmp_path, user_code):
    (user_code / "sleepy.py").write_text(SLEEPY)
    import sleepy

    options = {"n_workers": 1, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with LocalCluster(**options) as lc, Client(lc) as client:
        began = time.monotonic()
        with pytest.raises(StageSetupError, match=r"Setting up stage 'never_ready' did not finish on worker tcp://\S+ "
                           r"within 2 s \(setup_timeout\).*raise the executor config setup_timeout"):
            Pipeline("sleepy", stages=[MakeBatches(1), sleepy.NeverReady()]).run(
                DaskExecutor(client=client, config={"setup_timeout": 2, "progress": False})
            )
        assert time.monotonic() - began < 30
    sys.modules.pop("sleepy", None)
