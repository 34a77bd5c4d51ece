"""``curator-dask example``: the main job (English heuristic curation) on a generated sample."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["register"]


def _example(args: argparse.Namespace) -> int:
    from curator_dask.cli.run import execute
    from curator_dask.config import load_pipeline_config
    from curator_dask.core import ClusterSpec
    from curator_dask.examples.heuristic_english import removal_summary
    from curator_dask.examples.sample_corpus import write_sample_corpus

    output = Path(args.output)
    input_dir = Path(args.input) if args.input else Path(tempfile.mkdtemp(prefix="curator-dask-sample-"))
    if not args.input:
        files = write_sample_corpus(input_dir, num_docs=args.docs, num_files=args.files)
        print(f"generated {args.docs} sample documents in {len(files)} files under {input_dir}")
    overrides = [f"input_path={input_dir}", f"output_path={output / 'curated'}"]
    config = load_pipeline_config("heuristic_english", overrides)
    spec = ClusterSpec(kind="local", n_workers=args.workers, dashboard_address=None)
    result = execute(config, spec, report_dir=str(output))
    print(removal_summary(result))
    print(f"curated Parquet files: {output / 'curated'}")
    return 0


def register(commands: Any) -> None:
    """Add ``example`` to the subcommand parsers ``commands``."""
    example = commands.add_parser(
        "example",
        help="run the English heuristic pipeline on a generated sample (or --input) on a local cluster",
        description="Generate a sample corpus (unless --input is given), run the packaged heuristic_english "
        "pipeline on a local Dask cluster, print what each filter removed and write the run report to --output.",
    )
    example.add_argument("--output", default="output", help="output folder (default: ./output)")
    example.add_argument("--input", help="a folder of JSONL files to curate instead of the sample")
    example.add_argument("--docs", type=int, default=4000, help="sample documents to generate")
    example.add_argument("--files", type=int, default=8, help="sample files to generate")
    example.add_argument("--workers", type=int, default=None, help="local workers (default: one per core)")
    example.set_defaults(func=_example)
