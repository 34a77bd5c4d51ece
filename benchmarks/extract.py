"""WARC records per second per core for each HTML extractor: ours on DaskExecutor, NeMo Curator's on Ray Data.

One run, one set of generated WARC files (the extractor tests' multilingual, boilerplate-heavy,
broken and legacy-charset pages, cycled under distinct URLs) served from a loopback HTTP server:

- ``ours``: ``CommonCrawlDownloadExtractStage`` on a LocalCluster (one single-threaded worker
  process per core), with the default per-record time limit (``extract_timeout_s=60``: extraction
  in a child process of each worker) and without one;
- ``nemo``: NeMo Curator 1.4's ``CommonCrawlDownloadExtractStage`` on its ``RayDataExecutor``
  (with NeMo's defaults, e.g. ``extractor_max_calls_per_worker=2`` for jusText), when
  ``nemo_curator`` and Ray are installed (the interop venv); language detection is the same on both
  sides (see ``tests/interop/nemo_download.py``).

Each configuration first runs once untimed: it downloads the files and starts the workers (and,
with the limit, each worker's extraction child, which later runs reuse). Then the runs with and
without the limit are timed in turn, ``--repeat`` times each, the fastest of each kept, so both
see the same load; they find the files complete on disk, so what is measured is URL listing,
WARC reading, decoding, language detection and extraction. The line ``time limit costs`` is the
ratio of the two. It also measures, in one process, what the limit costs per record (child
process vs ``SIGALRM`` vs none) and what starting one child costs (once per worker process and
extractor), and checks that all sides kept the same number of documents.

Usage: ``python benchmarks/extract.py [--quick] [--files 4] [--records 400] [--repeat 3] [--extractors justext,...]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for the tests' page and WARC helpers

from tests.stages.text.download.common_crawl.fake_crawl import SNAPSHOT, crawl_pages
from tests.stages.text.download.http_server import LoopbackServer
from tests.stages.text.download.warc_files import Page, write_warc

EXTRACTORS = {"justext": {}, "resiliparse": {}, "trafilatura": {"deduplicate": False}}


def write_files(root: Path, files: int, records: int) -> int:
    """``files`` WARC files holding ``records`` response records in all, and their path list; the record count."""
    import gzip
    import json

    pages = crawl_pages(huge_paragraphs=200)
    (root / "collinfo.json").write_text(json.dumps([{"id": SNAPSHOT}]))
    rel = [f"crawl-data/{SNAPSHOT}/segments/1/warc/{SNAPSHOT}-{i:05d}.warc.gz" for i in range(files)]
    for i, path in enumerate(rel):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        chosen = [pages[k % len(pages)] for k in range(i, records, files)]
        write_warc(root / path, [Page(f"{p.url}?n={n}", p.body, p.content_type) for n, p in enumerate(chosen)])
    (root / "crawl-data" / SNAPSHOT / "warc.paths.gz").write_bytes(gzip.compress("\n".join(rel).encode()))
    return records


def ours(server: LoopbackServer, root: Path, extractor: str, timeout: float | None, client: Any) -> Any:
    """A function running our stage once on ``client``; it returns the document count."""
    from curator_dask.backends.dask import DaskExecutor
    from curator_dask.pipeline import Pipeline
    from curator_dask.stages.text.download import CommonCrawlDownloadExtractStage

    def run() -> int:
        stage = CommonCrawlDownloadExtractStage(
            SNAPSHOT[8:], SNAPSHOT[8:], str(root / f"ours-{extractor}"), html_extraction=extractor,
            html_extraction_kwargs=EXTRACTORS[extractor], data_prefix=server.url, index_prefix=server.url,
            extract_timeout_s=timeout,
        )  # fmt: skip
        batches = Pipeline("bench", stages=[stage]).run(DaskExecutor({"progress": False}, client=client))
        return sum(b.num_items for b in batches)

    return run


def timed_in_turn(runs: dict[str, Any], repeat: int) -> dict[str, tuple[float, int]]:
    """Each run once untimed, then all of them in turn ``repeat`` times; the fastest time of each."""
    for run in runs.values():
        run()
    best: dict[str, tuple[float, int]] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            began = time.perf_counter()
            documents = run()
            seconds = time.perf_counter() - began
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, documents)
    return best


def run_nemo(nemo: Any, server: LoopbackServer, root: Path, extractor: str, repeat: int) -> tuple[float, int]:
    from nemo_curator.backends.ray_data import RayDataExecutor
    from nemo_curator.pipeline import Pipeline

    def run() -> int:
        stage = nemo.CommonCrawlDownloadExtractStage(
            SNAPSHOT[8:], SNAPSHOT[8:], str(root / f"nemo-{extractor}"), html_extraction=extractor,
            html_extraction_kwargs=EXTRACTORS[extractor],
        )  # fmt: skip
        stage.url_generator.data_prefix = server.url  # NeMo's stage takes no mirror
        stage.url_generator.index_prefix = server.url
        return sum(t.num_items for t in Pipeline("bench", stages=[stage]).run(RayDataExecutor()))

    return timed_in_turn({"nemo": run}, repeat)["nemo"]


def time_limit_cost(root: Path, extractor: str, records: int) -> dict[str, float]:
    """Microseconds per record of extraction alone, through the child process, and under SIGALRM;
    seconds to start a child and have it extract its first record (``"start_s"``)."""
    from curator_dask.stages.text.download.base._time_limit import TimeLimitedExtractor
    from curator_dask.stages.text.download.common_crawl.extract import CommonCrawlHTMLExtractor
    from curator_dask.stages.text.download.common_crawl.warc_iterator import CommonCrawlWarcIterator

    path = next((root / "crawl-data").rglob("*.warc.gz"))
    sample = [r for r in CommonCrawlWarcIterator().iterate(str(path)) if isinstance(r, dict)][:records]
    plain = CommonCrawlHTMLExtractor(extractor, EXTRACTORS[extractor])
    ways = {
        "none": plain,
        "process": TimeLimitedExtractor(plain, 60.0, mode="process"),
        "signal": TimeLimitedExtractor(plain, 60.0, mode="signal"),
    }
    began = time.perf_counter()
    ways["process"].extract(dict(sample[0]))
    cost = {"start_s": time.perf_counter() - began}
    for name, way in ways.items():
        began = time.perf_counter()
        for record in sample:
            way.extract(dict(record))
        cost[name] = (time.perf_counter() - began) / len(sample) * 1e6
    ways["process"].close()  # type: ignore[attr-defined]
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 files, 120 records, jusText and Resiliparse")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--extractors", default=",".join(EXTRACTORS))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each configuration; the fastest counts")
    parser.add_argument("--no-nemo", action="store_true", help="skip NeMo Curator on Ray Data")
    args = parser.parse_args()
    if args.quick:
        args.files, args.records, args.extractors, args.repeat = 2, 120, "justext,resiliparse", 2
    extractors = args.extractors.split(",")
    cores = os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="extract-bench-"))
    (root / "served").mkdir()
    records = write_files(root / "served", args.files, args.records)
    server = LoopbackServer(root / "served")
    rows: dict[str, dict[str, tuple[float, int] | str]] = {e: {} for e in extractors}

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as c:
        for extractor in extractors:
            runs = {
                "ours": ours(server, root, extractor, 60.0, c),
                "ours, no time limit": ours(server, root, extractor, None, c),
            }
            rows[extractor].update(timed_in_turn(runs, args.repeat))
    if not args.no_nemo:  # after the Dask cluster is closed, so the two never share the cores
        try:
            from tests.interop.nemo_download import nemo_download

            with nemo_download() as nemo:
                for extractor in extractors:
                    rows[extractor]["nemo ray_data"] = run_nemo(nemo, server, root, extractor, args.repeat)
        except Exception as error:  # NeMo Curator or Ray missing or failing here: say so and go on
            for extractor in extractors:
                rows[extractor].setdefault("nemo ray_data", f"not run: {type(error).__name__}: {str(error)[:100]}")
    server.close()

    print(f"\n{records} WARC response records in {args.files} files, {cores} cores (records/s per core)")
    for extractor in extractors:
        base = rows[extractor]["ours"]
        for kind, result in rows[extractor].items():
            if isinstance(result, str):
                print(f"  {extractor:<12} {kind:<20} {result}")
                continue
            seconds, documents = result
            ratio = "" if not isinstance(base, tuple) else f"  speed x{base[0] / seconds:4.2f} of ours"
            line = f"{records / seconds / cores:8.1f} rec/s/core  {seconds:6.2f} s  docs={documents}{ratio}"
            print(f"  {extractor:<12} {kind:<20} {line}")
        counts = {r[1] for r in rows[extractor].values() if isinstance(r, tuple)}
        print(f"  {extractor:<12} same document count everywhere: {len(counts) == 1}")
        free = rows[extractor]["ours, no time limit"]
        if isinstance(base, tuple) and isinstance(free, tuple):
            cost = f"{base[0] / free[0] - 1:+.1%} (with {base[0]:.2f} s, without {free[0]:.2f} s)"
            print(f"  {extractor:<12} time limit costs {cost}")
    for extractor in extractors:
        cost = time_limit_cost(root / "served", extractor, min(records // args.files, 100))
        extra = {k: cost[k] - cost["none"] for k in ("process", "signal")}
        print(
            f"  time limit, {extractor}: {cost['none']:.0f} us/record without; +{extra['process']:.0f} us "
            f"(x{cost['process'] / cost['none']:.2f}) in a child process; +{extra['signal']:.0f} us with SIGALRM; "
            f"a child's start-up and first record {cost['start_s']:.2f} s (once per worker process)"
        )


if __name__ == "__main__":
    main()
