"""The progress display: bars on a real pseudo-terminal, log lines elsewhere, the final line."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from curator_dask.backends.dask import DaskExecutor
from tests.backends.dask.processes import ROOT, _env
from tests.backends.dask.progress_parts import CHAIN, KEPT_LINE, pipeline, write_inputs

LOG_LINE = re.compile(
    r"^\[curator_dask\] \d\d:\d\d partitions (\d+)/(\d+|\?) \(([\d.]+%|-)\), documents ([\d,]+) in, "
    r"([\d,]+) kept \(([\d.]+%|-)\), ETA (\S+) \| chains: .*" + re.escape(CHAIN) + r" \d+/\d+$"
)


def _run(client, tmp_path: Path, **config: object) -> None:  # type: ignore[no-untyped-def]
    inputs = write_inputs(tmp_path / "in")
    pipeline(inputs, tmp_path / "out").run(DaskExecutor(client=client, config=config))


def test_without_a_terminal_one_plain_line_per_interval_then_the_final_line(client, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _run(client, tmp_path, progress="auto", progress_interval=0.01)
    lines = capsys.readouterr().err.splitlines()
    ours = [line for line in lines if line.startswith("[curator_dask]")]
    assert ours[-1] == f"[curator_dask] {KEPT_LINE}"
    reports = [LOG_LINE.match(line) for line in ours[:-1]]
    assert reports and all(reports), ours  # one line each, never a block, no bar drawing
    assert not any("\r" in line or "\x1b" in line for line in lines)
    done = [int(m.group(1)) for m in reports if m]
    assert done == sorted(done) and max(done) <= 20
    assert all(m.group(2) in ("20", "?") for m in reports if m)


def test_a_short_run_in_auto_mode_shows_nothing_and_off_is_silent(client, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _run(client, tmp_path / "auto", progress=True, progress_interval=60)
    _run(client, tmp_path / "off", progress="off", progress_interval=0.01)
    assert "[curator_dask]" not in capsys.readouterr().err


def test_log_mode_prints_the_final_line_even_for_a_short_run(client, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _run(client, tmp_path, progress="log", progress_interval=60)
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"[curator_dask] {KEPT_LINE}"


def _capture_on_a_terminal(args: list[str], columns: int = 160) -> str:
    """Run ``args`` with stdout and stderr on a new pseudo-terminal; everything it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**_env(), "TERM": "xterm", "COLUMNS": str(columns)}
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_on_a_terminal_live_bars_per_pipeline_and_per_fused_chain(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inputs = write_inputs(tmp_path / "in")
    script = str(ROOT / "tests" / "backends" / "dask" / "progress_parts.py")
    address = client.scheduler.address
    screen = _capture_on_a_terminal(
        [sys.executable, script, address, str(inputs), str(tmp_path / "out"), "auto", "0.05"]
    )
    assert screen.splitlines()[-1] == f"[curator_dask] {KEPT_LINE}"
    assert "\x1b[A" in screen, "the bars redraw in place (tqdm moves the cursor up to its lines)"
    last = {}  # the last state each line was drawn in
    for piece in re.split(r"\r|\n|\x1b\[A", screen):
        name = piece.split(":", 1)[0].strip()
        if name:
            last[name] = piece
    assert re.search(
        r"100%\|█+\| 20/20 \[\d\d:\d\d<00:00, .*documents 340 in, 180 kept \(52\.9%\)\]", last["partitions"]
    ), last
    assert re.search(r"100%\|█+\| 20/20 ", last[CHAIN]), last
    assert not any(re.match(r"\[curator_dask\] \d\d:\d\d partitions", line) for line in screen.splitlines())
    # closing leaves every bar on its own line, in order, then the final line below them
    tail = screen.rsplit("\x1b[A", 1)[-1].split("\n")  # the terminal ends each line with \r\n
    closing = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in tail if line.strip()]
    assert [line.split(":")[0].strip() for line in closing[-4:]] == [
        "partitions",
        "file_partitioning+jsonl_reader+word_count+j…",
        CHAIN,
        f"[curator_dask] {KEPT_LINE}",
    ], closing


def test_a_pipeline_ending_in_a_collection_stage_reports_what_that_stage_kept(client, capsys) -> None:  # type: ignore[no-untyped-def]
    from curator_dask.pipeline import Pipeline
    from tests.backends.dask.pipeline_parts import MakeBatches
    from tests.backends.dask.test_collection_stage import DropDuplicateTexts

    stages = [MakeBatches(10, rows=3), DropDuplicateTexts(2)]  # 30 documents, 12 distinct texts
    Pipeline("ends_in_a_collection", stages=stages).run(DaskExecutor(client=client, config={"progress": "log"}))
    assert capsys.readouterr().err.strip().splitlines()[-1] == "[curator_dask] kept 12 of 30 documents (40.0%)"
