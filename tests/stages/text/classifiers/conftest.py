"""The tiny-model cache and the offline cluster (``tests/models/parts.py``), for the tests here."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from tests.models.parts import device_client, hf_home, hub_cache, offline_client  # noqa: F401
