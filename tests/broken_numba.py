"""Running code where numba is installed but cannot be imported (as a numba built for another NumPy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_with_broken_numba(tmp_path: Path, code: str) -> str:
    """The stdout of ``code`` run by this Python with a ``numba`` package that raises on import first on the path."""
    (tmp_path / "numba").mkdir()
    (tmp_path / "numba" / "__init__.py").write_text("raise ImportError('numba needs NumPy 9.9 or less')\n")
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    ).stdout
