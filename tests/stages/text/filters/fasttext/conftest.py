"""Two tiny fastText models, trained once per session: a language identifier and a quality classifier."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stages.text.filters.fasttext.fasttext_parts import LANGUAGES, QUALITY, train_model


@pytest.fixture(scope="session")
def langid_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fastText model labelling ``eng_Latn`` and ``deu_Cyrl`` (made-up alphabets), as a .bin file."""
    return train_model(tmp_path_factory.mktemp("fasttext") / "langid.bin", LANGUAGES)


@pytest.fixture(scope="session")
def quality_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fastText model labelling ``hq`` and ``lq`` documents, as a .bin file."""
    return train_model(tmp_path_factory.mktemp("fasttext") / "quality.bin", QUALITY)
