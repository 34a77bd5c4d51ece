"""One message per failed batch: the worker's own "Compute Failed" log block is dropped.

When a stage raises on a worker, the executor raises a ``StageError`` on the client naming the
stage, the task and the worker, and the CLI prints it as one line. The worker process of a local
cluster shares the terminal and also logs the same failure as a ``distributed.worker - ERROR -
Compute Failed`` block with the pickled exception and traceback, so the user read the error twice,
the second time escaped. This plugin filters that block on the workers of clusters the CLI
started, for ``StageError``s only (any other worker error is still logged), and not with
``--verbose``.
"""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["QuietStageFailures", "StageFailureFilter"]

_LOGGER = "distributed.worker"


class StageFailureFilter(logging.Filter):
    """Drops ``Compute Failed`` records whose exception is a curator_dask ``StageError``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Compute Failed"):
            return True
        exception_text = record.args[3] if isinstance(record.args, tuple) and len(record.args) > 3 else ""
        return not str(exception_text).startswith(("StageError(", "StageOutputError("))


class QuietStageFailures(WorkerPlugin):
    """Installs ``StageFailureFilter`` on every worker, those that join later included."""

    name = "curator-dask-quiet-stage-failures"
    idempotent = True

    def setup(self, worker: Any) -> None:
        logger = logging.getLogger(_LOGGER)
        if not any(isinstance(f, StageFailureFilter) for f in logger.filters):
            logger.addFilter(StageFailureFilter())

    def teardown(self, worker: Any) -> None:
        logger = logging.getLogger(_LOGGER)
        for f in [f for f in logger.filters if isinstance(f, StageFailureFilter)]:
            logger.removeFilter(f)
