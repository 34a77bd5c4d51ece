"""Every Python and shell block of the README runs as pasted, in README order, on generated data.

The blocks run in one scratch folder holding ``data/raw`` (a small generated corpus) and a
``.venv`` that is this test run's own environment, with its ``bin`` first on ``PATH``, so
``curator-dask`` and ``source .venv/bin/activate`` mean what they mean in a checkout. A comment
``<!-- readme-test: ... -->`` right before a block says how to run what cannot run as a plain
script: ``skip: <why>`` (the README's two set-up commands, which CI runs from a fresh clone),
``background: <why>`` (the first command serves until stopped), ``fake-slurm: <why>`` (the stand-in
``sbatch``/``srun`` of tests/deploy are on ``PATH``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FAKE_SLURM = ROOT / "tests" / "deploy" / "fake_slurm"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: (?P<how>[a-z-]+)(?::[^>]*)? -->\n)?```(?P<lang>python|bash)\n(?P<code>.*?)```", re.S
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Block:
    """One fenced block of the README."""

    line: int
    lang: str
    code: str
    how: str  # "run", "skip", "background" or "fake-slurm"


def readme_blocks() -> list[Block]:
    text = README.read_text()
    return [
        Block(text.count("\n", 0, m.start("code")) + 1, m["lang"], m["code"], m["how"] or "run")
        for m in _BLOCK.finditer(text)
    ]


BLOCKS = readme_blocks()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curator_dask.examples.sample_corpus import write_sample_corpus

    folder = tmp_path_factory.mktemp("readme")
    write_sample_corpus(folder / "data" / "raw", num_docs=400, num_files=4)
    (folder / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return folder


def _env(fake_slurm: bool) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(Path(sys.prefix) / "bin"), *([str(FAKE_SLURM)] if fake_slurm else []), env.get("PATH", "")]
    env["PATH"] = os.pathsep.join(paths)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    output = f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, f"README block failed ({done.returncode}):\n{output}"


@pytest.fixture
def served(workdir: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    """Starts a block's first command in the background; stops it when the test ends."""
    procs: list[subprocess.Popen[str]] = []

    def start(command: str, env: dict[str, str]) -> None:
        proc = subprocess.Popen(["bash", "-c", command], cwd=workdir, env=env, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        for line in proc.stdout:  # the command says when it serves
            if "running until interrupted" in line:
                return
            assert time.monotonic() < deadline, "the background command did not come up"
        raise AssertionError(f"the background command ended with {proc.wait()}")

    yield start
    for proc in procs:
        proc.terminate()
        assert proc.wait(timeout=60) == 0


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b.line}-{b.lang}" for b in BLOCKS])
def test_readme_block_runs_as_pasted(block: Block, workdir: Path, served) -> None:  # type: ignore[no-untyped-def]
    if block.how == "skip":
        pytest.skip("the README marks this block as run elsewhere (CI runs the two set-up commands)")
    env = _env(fake_slurm=block.how == "fake-slurm")
    if block.lang == "python":
        script = workdir / f"readme_line{block.line}.py"
        script.write_text(block.code)
        _run([sys.executable, str(script)], workdir, env)
        return
    code = block.code
    if block.how == "background":
        first, code = code.split("\n", 1)
        served(first, env)
    _run(["bash", "-e", "-o", "pipefail", "-c", code], workdir, env)


def test_the_readme_has_the_blocks_this_test_expects() -> None:
    kinds = [(b.lang, b.how) for b in BLOCKS]
    assert ("bash", "skip") in kinds and ("python", "run") in kinds and ("bash", "background") in kinds
    assert len(BLOCKS) >= 6
