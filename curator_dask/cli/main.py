"""The ``curator-dask`` command.

Subcommands: ``example`` (the main job on a generated sample), ``run`` and ``describe`` (pipeline
YAML files), ``cluster`` (a local scheduler and workers) and ``slurm`` (an sbatch script). Each
lives in its own module as a ``Command`` record (``cli.options``). Exit status 0 on success; on failure 1 and
one line saying why (``--verbose`` shows the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys

from curator_dask.cli.cluster import CLUSTER
from curator_dask.cli.example import EXAMPLE
from curator_dask.cli.run import DESCRIBE, RUN
from curator_dask.cli.slurm import SLURM

__all__ = ["COMMANDS", "build_parser", "main", "version_line"]

COMMANDS = (EXAMPLE, RUN, DESCRIBE, CLUSTER, SLURM)


def version_line() -> str:
    """``curator-dask 0.1.0 (dask 2025.x, distributed 2025.x, Python 3.11.x)``."""
    import platform
    from importlib.metadata import version

    import curator_dask

    libraries = ", ".join(f"{name} {version(name)}" for name in ("dask", "distributed"))
    return f"curator-dask {curator_dask.__version__} ({libraries}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    """The ``curator-dask`` parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="curator-dask", description="NeMo Curator pipelines on Dask.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    parser.add_argument("--version", action="version", version=version_line())
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_to(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("distributed").setLevel(level)  # distributed logs every worker start at INFO
    try:
        args.func(args)
        return 0
    except KeyboardInterrupt:
        print("curator-dask: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one line for the batch log; --verbose shows the traceback
        if args.verbose:
            raise
        line = str(e).splitlines()[0] if str(e) else ""
        if 'on_error="skip"' in line:
            line += " On the command line: --reader-option on_error=skip."
        print(f"curator-dask: error: {type(e).__name__}: {line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
