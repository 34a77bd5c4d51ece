"""Package versions on the client and on every worker, and where they disagree.

Versions are read from package metadata (``importlib.metadata``), so reporting cudf's version
never imports cudf. Mismatches between the client and a worker are the usual cause of pickling
errors on a shared cluster, so they are logged as warnings.
"""

from __future__ import annotations

import logging
import platform
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "PACKAGES",
    "format_versions",
    "log_versions",
    "package_versions",
    "version_mismatches",
    "versions_report",
]

logger = logging.getLogger(__name__)

# Distribution names; the optional GPU ones are reported only where they are installed.
PACKAGES: tuple[str, ...] = ("python", "dask", "distributed", "pandas", "pyarrow", "dask-cuda", "cudf")
_ALIASES: dict[str, tuple[str, ...]] = {"cudf": ("cudf", "cudf-cu12", "cudf-cu11")}


def package_versions(dask_worker: Any = None) -> dict[str, str]:
    """The installed versions of ``PACKAGES`` in this process (absent optional ones left out).

    Args:
        dask_worker: filled in by ``client.run``; unused.
    """
    found = {"python": platform.python_version()}
    for name in PACKAGES[1:]:
        for dist in _ALIASES.get(name, (name,)):
            try:
                found[name] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return found


def versions_report(client: Client) -> dict[str, dict[str, str]]:
    """``{"client": versions, <worker address>: versions, ...}``."""
    return {"client": package_versions(), **client.run(package_versions)}


def version_mismatches(report: dict[str, dict[str, str]]) -> list[str]:
    """One line per package whose version on some worker differs from the client's."""
    reference = report.get("client", {})
    lines = []
    for package in PACKAGES:
        seen = {where: v.get(package) for where, v in report.items() if where != "client"}
        differing = sorted(w for w, version in seen.items() if version != reference.get(package))
        if differing:
            found = sorted({str(seen[w]) for w in differing})
            lines.append(
                f"{package} {reference.get(package)} on the client but {', '.join(found)} on "
                f"{len(differing)} worker(s) ({differing[0]}, ...)"
            )
    return lines


def format_versions(report: dict[str, dict[str, str]]) -> str:
    """A table: one row per package, one column for the client and one per distinct worker set."""
    columns: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for where, versions in report.items():
        if where != "client":
            columns.setdefault(tuple(sorted(versions.items())), []).append(where)
    header = ["package", "client"] + [f"workers ({len(ws)})" for ws in columns.values()]
    rows = [header]
    for package in PACKAGES:
        cells = [report.get("client", {}).get(package, "-")]
        cells += [dict(key).get(package, "-") for key in columns]
        if any(c != "-" for c in cells):
            rows.append([package, *cells])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def log_versions(client: Client) -> dict[str, dict[str, str]]:
    """Log the versions table at INFO and each mismatch as a warning; return the report."""
    report = versions_report(client)
    logger.info("Package versions:\n%s", format_versions(report))
    for line in version_mismatches(report):
        logger.warning("Version mismatch: %s", line)
    return report
