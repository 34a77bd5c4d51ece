"""Every notebook runs headless on a Jupyter kernel without a cell error, and is committed clean.

Executed as a user would run them: the quickstart's chart must arrive as an image (not the text
``<Figure ...>``), and each notebook must remove the temporary folders it made.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", ALL)
def test_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear the outputs before committing"


def test_there_is_a_notebook_on_writing_stages() -> None:
    assert "04_custom_stages.ipynb" in ALL


@pytest.mark.parametrize("name", ALL)
def test_notebook_executes(name: str, cluster: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 03 and 04 join the session's cluster through the variable a user would set.
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)  # type: ignore[attr-defined]
    monkeypatch.setenv("MPLBACKEND", "Agg")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # the kernel's tempfile.mkdtemp() lands here
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    left = sorted(p.name for p in temp.iterdir() if p.name.startswith("curator-"))
    assert left == [], f"{name} left its temporary folders behind: {left}"
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    texts = [o.get("data", {}).get("text/plain", "") for o in outputs]
    assert not any(str(t).startswith("<Figure") for t in texts), f"{name}: a chart shows as text only"
    if name == "01_quickstart.ipynb":
        assert any("image/png" in o.get("data", {}) for o in outputs), "the stage-time chart is not an image"
    if name == "04_custom_stages.ipynb":
        printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        kept = re.search(r"kept (\d+) of 60 documents", printed)
        assert kept and 0 < int(kept.group(1)) < 60  # the stop-word list set-up loaded was used
