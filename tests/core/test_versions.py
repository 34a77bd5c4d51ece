"""The versions report of the client and the workers."""

from __future__ import annotations

from importlib import metadata

from curator_dask.core import format_versions, package_versions, version_mismatches, versions_report


def test_report_covers_client_and_every_worker(client: object) -> None:
    report = versions_report(client)  # type: ignore[arg-type]
    assert len(report) == 3 and report["client"] == package_versions()
    for versions in report.values():
        assert versions["dask"] == metadata.version("dask") and "pyarrow" in versions and "pandas" in versions
    assert version_mismatches(report) == []
    table = format_versions(report)
    assert table.splitlines()[0].split() == ["package", "client", "workers", "(2)"]


def test_mismatches_name_package_and_workers() -> None:
    report = {"client": {"pandas": "3.1"}, "tcp://w1": {"pandas": "3.1"}, "tcp://w2": {"pandas": "2.2"}}
    assert version_mismatches(report) == ["pandas 3.1 on the client but 2.2 on 1 worker(s) (tcp://w2, ...)"]
    assert "workers (1)  workers (1)" in format_versions(report).splitlines()[0]
