"""The conformance suite of ``tests/backends/dask/test_conformance.py`` for NeMo Curator's stages.

CI's interop run (``.ci/run``: ``tests/interop`` in ``.venv-interop``) does not collect
``tests/backends``, so this module brings every test and fixture of the suite here and fixes the
framework to ``nemo_curator``; curator_dask's case runs in the main test run. The suite's check
that both frameworks' stages get the same task ids runs here too.
"""

from __future__ import annotations

import pytest

pytest.importorskip(
    "nemo_curator",
    reason="NeMo Curator is not installed; CI runs these tests in .venv-interop (pip install -e '.[interop]')",
)

from tests.backends.dask.test_conformance import *  # noqa: F403  (all of the suite, so none is left out)


@pytest.fixture(scope="module", params=["nemo_curator"])
def framework(request: pytest.FixtureRequest) -> str:
    """Only NeMo Curator's stages here (overrides the suite's fixture of both frameworks)."""
    return str(request.param)
