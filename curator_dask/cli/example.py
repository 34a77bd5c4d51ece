"""``curator-dask example``: the main job (English heuristic curation) on a generated sample."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from curator_dask.cli.options import Command
from curator_dask.core.fields import POSITIVE_INT

__all__ = ["EXAMPLE"]


def _example(args: argparse.Namespace) -> None:
    from curator_dask.cli.run import execute
    from curator_dask.config import load_pipeline_config
    from curator_dask.core import ClusterSpec
    from curator_dask.examples.heuristic_english import removal_summary
    from curator_dask.examples.sample_corpus import write_sample_corpus

    output = Path(args.output).resolve()
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


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default="output", help="output folder (default: ./output)")
    parser.add_argument("--input", help="a folder of JSONL files to curate instead of the sample")
    parser.add_argument("--docs", type=POSITIVE_INT.parse, default=4000, help="sample documents to generate")
    parser.add_argument("--files", type=POSITIVE_INT.parse, default=8, help="sample files to generate")
    parser.add_argument("--workers", type=POSITIVE_INT.parse, help="local workers (default: one per core)")


EXAMPLE = Command(
    "example",
    help="run the English heuristic pipeline on a generated sample (or --input) on a local cluster",
    description="Generate a sample corpus (unless --input is given), run the packaged heuristic_english "
    "pipeline on a local Dask cluster, print what each filter removed and write the run report to --output.",
    arguments=_arguments,
    run=_example,
)
