"""Shared pieces of the deployment tests: the CLI as a subprocess, inputs, output checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.backends.dask.pipeline_parts import read_log, write_jsonl_inputs

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = Path(__file__).with_name("setup_pipeline.yaml")
FAKE_SLURM = Path(__file__).with_name("fake_slurm")
NUM_DOCS = 24


def env(**extra: str) -> dict[str, str]:
    """The environment for CLI and dask processes: the repo importable (the tests' stages)."""
    values = dict(os.environ)
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), values.get("PYTHONPATH", "")]))
    return {**values, **extra}


def cli_command() -> list[str]:
    """The installed ``curator-dask`` entry point (``python -m curator_dask.cli`` without one)."""
    script = Path(sys.executable).with_name("curator-dask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "curator_dask.cli"]


def run_cli(*args: str, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run ``curator-dask ARGS`` to completion and return it (output captured as text)."""
    return subprocess.run(
        [*cli_command(), *args], capture_output=True, text=True, env=env(**extra_env), timeout=timeout, check=False
    )


def pipeline_overrides(folder: Path) -> list[str]:
    """Write inputs under ``folder`` and return the overrides for ``setup_pipeline.yaml``."""
    write_jsonl_inputs(folder / "in", num_files=4, total_docs=NUM_DOCS)
    (folder / "shared").mkdir()
    return [f"input_path={folder / 'in'}", f"output_path={folder / 'out'}", f"shared_dir={folder / 'shared'}"]


def check_run(folder: Path, nodes: set[str]) -> None:
    """Every document written once, processed on the given nodes, node set-up once per node."""
    rows = [json.loads(line) for f in sorted((folder / "out").glob("*.jsonl")) for line in f.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(f"doc-{i}" for i in range(NUM_DOCS))
    assert {r["node_id"] for r in rows} <= nodes
    node_setups = Counter(line.split()[1] for line in read_log(folder / "shared" / "events.log")
                          if line.startswith("setup_on_node"))  # fmt: skip
    assert node_setups == Counter(dict.fromkeys(nodes, 1))


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (a test's temporary folder)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args and "pytest" not in args:
            found.append(args)
    return found
