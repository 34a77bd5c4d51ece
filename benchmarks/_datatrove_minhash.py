"""datatrove's 4-step MinHash deduplication on a local executor (run by ``benchmarks/dedup.py``).

Runs in datatrove's own virtual environment (it does not import curator_dask). Reads the JSONL
files of ``input`` (fields ``id`` and ``text``), runs signatures -> buckets -> clusters -> filter
with ``MinhashConfig(num_buckets=20, hashes_per_bucket=13)`` on ``--workers`` processes, and
prints one JSON object: seconds per step and in all, and the ids of the documents it removed.

Usage: ``<venv>/bin/python benchmarks/_datatrove_minhash.py INPUT WORK --workers 2``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("work")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(args.work)
    files = len(list(Path(args.input).glob("*.jsonl")))
    config = MinhashConfig(num_buckets=20, hashes_per_bucket=13)

    def reader() -> JsonlReader:
        return JsonlReader(args.input, text_key="text", id_key="id", glob_pattern="*.jsonl")

    steps = {
        "signatures": ([reader(), MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)], files),
        "buckets": (
            [MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config)],
            config.num_buckets,
        ),
        "clusters": (
            [MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "ids"), config=config)],
            1,
        ),
        "filter": (
            [
                reader(),
                MinhashDedupFilter(
                    input_folder=str(work / "ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed"), compression=None),
                ),
                JsonlWriter(str(work / "kept"), compression=None),
            ],
            files,
        ),
    }
    seconds: dict[str, float] = {}
    for name, (pipeline, tasks) in steps.items():
        began = time.perf_counter()
        LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=min(args.workers, tasks), logging_dir=str(work / "logs" / name)
        ).run()
        seconds[name] = time.perf_counter() - began
    removed = [json.loads(line)["id"] for path in sorted((work / "removed").glob("*.jsonl")) for line in path.open()]
    print(json.dumps({"seconds": seconds, "total": sum(seconds.values()), "removed": removed}))


if __name__ == "__main__":
    main()
