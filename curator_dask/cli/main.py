"""The ``curator-dask`` command.

``curator-dask example`` generates a sample corpus and runs the English heuristic pipeline on a
local Dask cluster; more subcommands (YAML pipelines, clusters, Slurm) build on the same parser.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]


def _example(args: argparse.Namespace) -> int:
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.core import ClusterSpec
    from curator_dask.examples.heuristic_english import heuristic_english_pipeline, removal_summary
    from curator_dask.examples.sample_corpus import write_sample_corpus

    output = Path(args.output)
    input_dir = Path(args.input) if args.input else Path(tempfile.mkdtemp(prefix="curator-dask-sample-"))
    if not args.input:
        files = write_sample_corpus(input_dir, num_docs=args.docs, num_files=args.files)
        print(f"generated {args.docs} sample documents in {len(files)} files under {input_dir}")
    pipeline = heuristic_english_pipeline(str(input_dir), str(output / "curated"))
    spec = ClusterSpec(kind="local", n_workers=args.workers, dashboard_address=None)
    result = pipeline.run(DaskExecutor(cluster=spec))
    print(removal_summary(result))
    print(f"curated Parquet files: {output / 'curated'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curator-dask", description="NeMo Curator pipelines on Dask.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)
    example = commands.add_parser(
        "example",
        help="run the English heuristic pipeline on a generated sample (or --input) on a local cluster",
        description="Generate a sample corpus (unless --input is given), run the English heuristic "
        "curation pipeline on a local Dask cluster, and print what each filter removed.",
    )
    example.add_argument("--output", default="output", help="output folder (default: ./output)")
    example.add_argument("--input", help="a folder of JSONL files to curate instead of the sample")
    example.add_argument("--docs", type=int, default=4000, help="sample documents to generate")
    example.add_argument("--files", type=int, default=8, help="sample files to generate")
    example.add_argument("--workers", type=int, default=None, help="local workers (default: one per core)")
    example.set_defaults(func=_example)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("distributed").setLevel(level)  # distributed logs every worker start at INFO
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("curator-dask: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one line for the batch log; --verbose shows the traceback
        if args.verbose:
            raise
        print(f"curator-dask: error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
