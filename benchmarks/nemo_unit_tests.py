"""Run NeMo Curator's own unit tests against curator_dask, with ``nemo_curator`` changed to ``curator_dask``.

This measures the promise "change the imports and nothing else". It needs a NeMo Curator source
checkout (its tests are not in the PyPI sdist), given as a work tree or a bare git directory::

    python benchmarks/nemo_unit_tests.py --nemo ~/src/Curator                 # the default module set
    python benchmarks/nemo_unit_tests.py --nemo ~/src/Curator tests/utils      # some paths only
    python benchmarks/nemo_unit_tests.py --nemo ~/src/Curator --failures       # why each one failed

The tests are copied into a temporary folder, every ``nemo_curator`` becomes ``curator_dask`` (imports
and the dotted paths inside ``mock.patch`` strings alike), NeMo's root ``conftest.py`` (which starts
Ray) is replaced by one that only registers its markers, and pytest runs them. Tests listed in
``nemo_unit_exclusions.txt`` beside this file (node-id prefix, then a reason) are counted apart: they
need Ray, a GPU, or a NeMo-private helper. The table printed at the end is per test file.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

# The modules curator_dask mirrors (issue 14 and the model / download / semantic issues).
DEFAULT_PATHS = [
    "tests/tasks/test_tasks.py",
    "tests/tasks/test_file_group_tasks.py",
    "tests/tasks/test_utils.py",
    "tests/stages/common",
    "tests/pipelines/test_pipelines.py",
    "tests/stages/text/io/reader/test_jsonl.py",
    "tests/stages/text/io/reader/test_parquet.py",
    "tests/stages/text/io/reader/test_integration.py",
    "tests/stages/text/io/writer/test_jsonl.py",
    "tests/stages/text/io/writer/test_parquet.py",
    "tests/stages/text/io/writer/test_megatron_tokenizer.py",
    "tests/stages/text/modules",
    "tests/stages/text/deduplication/test_removal.py",
    "tests/stages/text/deduplication/test_removal_workflow.py",
    "tests/stages/deduplication/test_id_generator.py",
    "tests/stages/deduplication/exact",
    "tests/utils/test_column_utils.py",
    "tests/utils/test_file_utils.py",
    "tests/utils/test_hash_utils.py",
    "tests/utils/test_writer_utils.py",
    "tests/metrics/test_metrics_utils.py",
    "tests/stages/text/filters/fasttext",
    "tests/stages/text/download",
    "tests/stages/text/models",
    "tests/stages/text/classifiers",
    "tests/stages/text/embedders",
    "tests/stages/deduplication/semantic",
    "tests/stages/text/deduplication/test_semantic.py",
]

MARKERS_CONFTEST = '''\
import pytest

def pytest_configure(config):
    for name in ("gpu", "cpu", "slow", "ray", "integration", "xenna", "timeout"):
        config.addinivalue_line("markers", f"{name}: NeMo Curator marker")
'''

EXCLUSIONS = Path(__file__).with_name("nemo_unit_exclusions.txt")


def export_tests(nemo: Path, dest: Path) -> None:
    """Copy NeMo's ``tests/`` folder from a work tree or a bare git directory into ``dest``."""
    if (nemo / "tests").is_dir():
        subprocess.run(["cp", "-r", str(nemo / "tests"), str(dest)], check=True)
        return
    archive = subprocess.run(
        ["git", f"--git-dir={nemo}", "archive", "HEAD", "tests"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "x", "-C", str(dest)], input=archive, check=True)


def rewrite(root: Path) -> None:
    """Change ``nemo_curator`` to ``curator_dask`` in every Python file; replace the root conftest."""
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"\bnemo_curator\b", "curator_dask", text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    (root / "tests" / "conftest.py").write_text(MARKERS_CONFTEST, encoding="utf-8")


def load_exclusions() -> list[tuple[str, str]]:
    """(node-id prefix, reason) pairs; blank lines and ``#`` comments ignored."""
    if not EXCLUSIONS.exists():
        return []
    pairs = []
    for raw in EXCLUSIONS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            prefix, _, reason = line.partition(" ")
            pairs.append((prefix, reason.strip()))
    return pairs


def run(nemo: Path, paths: list[str], python: str, timeout: int) -> list[tuple[str, str, str]]:
    """Run pytest once per path over the rewritten copies (a broken conftest then costs one path only)."""
    work = Path(tempfile.mkdtemp(prefix="nemo-unit-"))
    export_tests(nemo, work)
    rewrite(work)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1]), str(work)]))
    rows: list[tuple[str, str, str]] = []
    for number, path in enumerate(paths):
        report = work / f"junit-{number}.xml"
        done = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--timeout={timeout}", "--rootdir", str(work),
             "-o", "addopts=", "-o", "junit_family=xunit1", "--continue-on-collection-errors",
             f"--junitxml={report}", path],
            cwd=work, env=env, check=False, capture_output=True, text=True,
        )
        if report.exists():
            rows += outcomes(report)
        else:
            last = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
            rows.append((f"{path}::<collection>", "error", last[-1][:160] if last else "no output"))
    return rows


def outcomes(report: Path) -> list[tuple[str, str, str]]:
    """(node id, outcome, message) for each test case in the junit report."""
    rows = []
    for case in ET.parse(report).getroot().iter("testcase"):
        file, classname, name = case.get("file", ""), case.get("classname", ""), case.get("name", "")
        module = file.removesuffix(".py").replace("/", ".")
        parts = [file or classname.replace(".", "/") + ".py", classname[len(module) + 1:] if file else "", name]
        node = "::".join(part for part in parts if part)
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
                message = first_reason(found.get("message") or "", found.text or "")
                break
        rows.append((node, outcome, message))
    return rows


def first_reason(message: str, text: str) -> str:
    """A one-line reason: the message, or for a collection failure the first ``E`` line of the trace."""
    if message and message != "collection failure":
        return message.splitlines()[0][:160]
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return (errors[0] if errors else message)[:160]


def summarise(rows: list[tuple[str, str, str]], show_failures: bool) -> int:
    """Print the per-file table; return how many non-excluded tests failed."""
    exclusions = load_exclusions()
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    failures = []
    for node, outcome, message in rows:
        excluded = next((reason for prefix, reason in exclusions if node.startswith(prefix)), None)
        kind = "excluded" if excluded is not None and outcome != "passed" else outcome
        per_file[node.split("::")[0]][kind] += 1
        if kind in {"failed", "error"}:
            failures.append((node, message))
    total: Counter[str] = Counter()
    print(f"\n{'file':70} {'pass':>5} {'fail':>5} {'err':>5} {'skip':>5} {'excl':>5}")
    for file, counts in sorted(per_file.items()):
        total.update(counts)
        print(f"{file:70} {counts['passed']:5} {counts['failed']:5} {counts['error']:5} "
              f"{counts['skipped']:5} {counts['excluded']:5}")
    counted = total["passed"] + total["failed"] + total["error"]
    share = total["passed"] / counted if counted else 0.0
    print(f"\n{total['passed']} passed, {total['failed'] + total['error']} failed, {total['skipped']} skipped, "
          f"{total['excluded']} excluded (need Ray, a GPU or NeMo-private helpers); pass share {share:.1%}")
    if show_failures:
        for node, message in failures:
            print(f"FAIL {node}: {message}")
    return total["failed"] + total["error"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS, help="NeMo test paths (default: mirrored modules)")
    parser.add_argument("--nemo", type=Path, required=True, help="NeMo Curator work tree or bare git directory")
    parser.add_argument("--python", default=sys.executable, help="interpreter with curator_dask installed")
    parser.add_argument("--timeout", type=int, default=120, help="per-test timeout in seconds")
    parser.add_argument("--failures", action="store_true", help="list each failing test with its message")
    args = parser.parse_args(argv)
    rows = run(args.nemo.expanduser(), args.paths, args.python, args.timeout)
    return 1 if summarise(rows, args.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
