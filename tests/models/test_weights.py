"""Weight staging against real Hugging Face cache folders (no network: offline or cached only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator_dask.errors import StageSetupError
from curator_dask.models import ModelInterface, hub_cache_dir, local_snapshot, save_to_hub_cache, stage_snapshot

pytest.importorskip("huggingface_hub")


def _saved_model(folder: Path, value: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", "value": value}))
    (folder / "weights.bin").write_bytes(bytes(range(value, value + 16)))
    return folder


def test_a_saved_folder_is_staged_from_the_cache_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cache = tmp_path / "hub"
    snapshot = save_to_hub_cache(_saved_model(tmp_path / "saved"), "org/tiny-model", cache)
    assert snapshot.parent.parent == cache / "models--org--tiny-model"
    assert (cache / "models--org--tiny-model" / "refs" / "main").read_text() == snapshot.name
    staged = stage_snapshot("org/tiny-model", cache)
    assert staged == snapshot == local_snapshot("org/tiny-model", cache)
    assert json.loads((staged / "config.json").read_text())["value"] == 1


def test_saving_the_same_folder_twice_is_a_no_op_and_a_new_version_moves_main(tmp_path):
    cache = tmp_path / "hub"
    first = save_to_hub_cache(_saved_model(tmp_path / "a"), "org/m", cache)
    assert save_to_hub_cache(tmp_path / "a", "org/m", cache) == first
    second = save_to_hub_cache(_saved_model(tmp_path / "b", value=2), "org/m", cache)
    assert second != first and first.exists(), "the older snapshot is kept"
    assert local_snapshot("org/m", cache) == second


def test_missing_model_offline_names_the_repo_the_cache_and_the_fixes(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cache = tmp_path / "empty-hub"
    with pytest.raises(
        StageSetupError, match=r"Model 'nvidia/domain-classifier' is not in the Hugging Face cache"
    ) as e:
        stage_snapshot("nvidia/domain-classifier", cache)
    message = str(e.value)
    assert str(cache) in message and "HF_HUB_OFFLINE=1" in message
    assert "hf download nvidia/domain-classifier" in message and "save_to_hub_cache" in message
    assert isinstance(e.value, RuntimeError), "NeMo Curator raises RuntimeError here"


def test_setup_never_goes_online_for_a_missing_model(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(StageSetupError, match="setup_on_node did not stage it"):
        local_snapshot("org/not-staged", tmp_path / "hub")


def test_a_local_folder_is_used_where_it_is_and_a_missing_path_is_named(tmp_path):
    folder = _saved_model(tmp_path / "shared" / "model")
    assert stage_snapshot(str(folder)) == folder == local_snapshot(str(folder))
    with pytest.raises(StageSetupError, match=r"Model folder '/nonexistent/models/x' does not exist on node"):
        stage_snapshot("/nonexistent/models/x")


def test_save_to_hub_cache_refuses_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder; give the folder a model was saved to"):
        save_to_hub_cache(tmp_path / "nope", "org/m", tmp_path / "hub")


def test_cache_folder_follows_the_environment_at_call_time(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hub_cache_dir() == tmp_path / "home" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "direct"))
    assert hub_cache_dir() == tmp_path / "direct"
    assert hub_cache_dir(tmp_path / "given") == tmp_path / "given"


def test_model_interface_is_nemos_contract():
    with pytest.raises(TypeError, match="abstract"):
        ModelInterface()  # type: ignore[abstract]

    class Tiny(ModelInterface):
        @property
        def model_id_names(self) -> list[str]:
            return ["org/tiny"]

        def setup(self) -> None:
            self.ready = True

    model = Tiny()
    model.setup()
    assert model.model_id_names == ["org/tiny"] and model.ready
