"""The id generator without Ray: NeMo Curator's registry, deterministic reader ids, lookups."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.errors import ConfigError, StageSetupError
from curator_dask.stages.deduplication import id_generator as ids
from curator_dask.stages.text.io.reader import ParquetReaderStage
from curator_dask.tasks import FileGroupTask


@pytest.fixture
def group(tmp_path: Path) -> FileGroupTask:
    paths = []
    for i in range(2):
        path = tmp_path / f"{i}.parquet"
        pd.DataFrame({"text": [f"t{i}{j}" for j in range(3)]}).to_parquet(path)
        paths.append(str(path))
    return FileGroupTask(dataset_name="d", data=paths, reader_config={})


@pytest.fixture
def no_generator() -> Iterator[None]:
    yield
    if ids.active_generator() is not None:
        ids.kill_id_generator_actor()


def test_register_batch_hands_out_consecutive_ranges_once() -> None:
    gen = ids.IdGeneratorBase()
    assert gen.register_batch(["a", "b"], 5) == 0
    assert gen.register_batch("c", 3) == 5
    assert gen.register_batch(["a", "b"], 5) == 0  # the same files: the same range
    assert gen.get_batch_range(["a", "b"], None) == (0, 4)
    assert gen.get_batch_range(None, gen.hash_files("c")) == (5, 7)
    assert gen.next_id == 8


def test_registry_round_trips_in_nemo_json(tmp_path: Path) -> None:
    gen = ids.IdGeneratorBase(start_id=10, batch_registry={"k": (0, 9)})
    gen.to_disk(str(tmp_path / "g.json"))
    assert json.loads((tmp_path / "g.json").read_text()) == {"next_id": 10, "batch_registry": {"k": [0, 9]}}
    back = ids.IdGeneratorBase.from_disk(str(tmp_path / "g.json"))
    assert (back.next_id, back.batch_registry) == (10, {"k": (0, 9)})


def test_bad_lookups_and_files_name_the_fix(tmp_path: Path) -> None:
    gen = ids.IdGeneratorBase()
    with pytest.raises(ConfigError, match="either files or key"):
        gen.get_batch_range(None, None)
    with pytest.raises(ConfigError, match=r"no ids for \['x'\]; it holds 0 file groups"):
        gen.get_batch_range(["x"], None)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ConfigError, match=r'is not an id generator file.*"next_id" and "batch_registry"'):
        ids.IdGeneratorBase.from_disk(str(tmp_path / "bad.json"))


@pytest.mark.usefixtures("no_generator")
def test_actor_functions_work_on_the_driver(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"No id generator exists. Call .*create_id_generator_actor"):
        ids.get_id_generator_actor()
    ids.create_id_generator_actor()
    ids.get_id_generator_actor().register_batch("f", 4)
    ids.write_id_generator_to_disk(str(tmp_path / "g.json"))
    ids.kill_id_generator_actor()
    ids.create_id_generator_actor(str(tmp_path / "g.json"))
    assert ids.get_id_generator_actor().get_batch_range("f", None) == (0, 3)


def test_generated_ids_depend_only_on_the_files(group: FileGroupTask) -> None:
    first = ParquetReaderStage(_generate_ids=True).process(group).to_pandas()[ids.CURATOR_DEDUP_ID_STR]
    again = pickle.loads(pickle.dumps(ParquetReaderStage(_generate_ids=True))).process(group).to_pandas()
    start = ids.deterministic_start(group.data)
    assert first.tolist() == list(range(start, start + 6))
    assert again[ids.CURATOR_DEDUP_ID_STR].tolist() == first.tolist()
    other = FileGroupTask(dataset_name="d", data=group.data[:1], reader_config={})
    assert ids.deterministic_start(other.data) != start


@pytest.mark.usefixtures("no_generator")
def test_assigned_ids_come_from_the_registry_carried_to_workers(group: FileGroupTask, tmp_path: Path) -> None:
    ids.create_id_generator_actor()
    ids.get_id_generator_actor().register_batch(group.data, 6)
    ids.write_id_generator_to_disk(str(tmp_path / "g.json"))
    ids.kill_id_generator_actor()
    ids.create_id_generator_actor(str(tmp_path / "g.json"))
    shipped = pickle.dumps(ParquetReaderStage(_assign_ids=True))  # as the executor sends it
    ids.kill_id_generator_actor()
    batch = pickle.loads(shipped).process(group)
    assert batch.to_pandas()[ids.CURATOR_DEDUP_ID_STR].tolist() == list(range(6))


@pytest.mark.usefixtures("no_generator")
def test_assign_ids_refuses_a_changed_file_group(group: FileGroupTask) -> None:
    ids.create_id_generator_actor()
    ids.get_id_generator_actor().register_batch(group.data, 4)
    with pytest.raises(ConfigError, match=r"gives .* 4 ids, but the files hold 6 rows now"):
        ParquetReaderStage(_assign_ids=True).process(group)
    with pytest.raises(ConfigError, match="Cannot generate and assign IDs at the same time"):
        ParquetReaderStage(_generate_ids=True, _assign_ids=True)


@pytest.mark.usefixtures("no_generator")
def test_assign_ids_without_a_generator_fails_at_setup_before_reading(group: FileGroupTask) -> None:
    message = (
        r"^ParquetReaderStage\(_assign_ids=True\) needs an id generator .* none exists \(NeMo Curator: the actor "
        r"'id_generator' does not exist\)\. Fix: call .*create_id_generator_actor\(<the JSON file"
    )
    with pytest.raises(StageSetupError, match=message) as info:
        ParquetReaderStage(_assign_ids=True).setup()
    assert isinstance(info.value, RuntimeError)  # what NeMo Curator's reader raises there
    ParquetReaderStage(_generate_ids=True).setup()  # deterministic ids need no generator
    ids.create_id_generator_actor()
    shipped = pickle.dumps(ParquetReaderStage(_assign_ids=True))
    ids.kill_id_generator_actor()
    pickle.loads(shipped).setup()  # the generator it carries is enough on a worker
