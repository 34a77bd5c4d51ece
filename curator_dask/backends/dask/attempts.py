"""Which chains ran more than once in a run, and why: a scheduler plugin that watches them.

A chain runs again when its worker died while running it (or while holding its result, which
Dask then recomputes), or when it raised and ``max_retries`` allowed another try. The plugin sees
these as the chain's task leaving the ``processing`` state for anything but ``memory``/``erred``
and records the transition's stimulus (``handle-worker-cleanup`` for a lost worker,
``task-erred`` for a retried error). The driver reads the record at the end of the run.

The scheduler must be able to import curator_dask for this; where it cannot (a scheduler from
another environment), the run goes on without the record.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distributed.diagnostics.plugin import SchedulerPlugin

__all__ = ["AttemptLog", "Retry", "chain_key", "chain_label", "install", "read_and_remove", "stage_of_key"]

logger = logging.getLogger(__name__)


def chain_label(stage_names: Sequence[str]) -> str:
    """The name Dask's dashboard shows for a chain: its fused stages' names joined by ``+``.

    ``dask.utils.key_split`` (what Progress and Task Groups group by) keeps a key's text up to
    its first ``-`` that is not followed by letters only, so ``-`` in a stage's name becomes
    ``_`` here: ``exact-dedup`` would otherwise group as ``exact``.
    """
    return "+".join(stage_names).replace("-", "_")


def chain_key(label: str, run_id: str, token: str) -> str:
    """The Dask key of a chain: ``<label>-<run id>/<token>`` (the only place that builds it).

    ``key_split`` of it is ``label``: the word after the ``-`` holds a ``/``, never letters only.
    """
    return f"{label}-{run_id}/{token}"


def stage_of_key(key: str) -> str:
    """The chain label in a key ``chain_key`` built (labels may hold ``-``-free text of any kind)."""
    return key.rsplit("-", 1)[0]


@dataclass(frozen=True)
class Retry:
    """One interrupted run of a chain: its Dask key, the first stage it runs, and why."""

    key: str
    stage_name: str
    reason: str


def _reason(stimulus_id: str, worker: str | None) -> str:
    if "worker" in stimulus_id and ("cleanup" in stimulus_id or "remove" in stimulus_id):
        return f"worker {worker or '?'} was lost ({stimulus_id})"
    if "erred" in stimulus_id:
        return f"the chain raised on worker {worker or '?'} and was retried ({stimulus_id})"
    return f"rescheduled by the scheduler ({stimulus_id})"


class AttemptLog(SchedulerPlugin):
    """Records interrupted runs of the tasks whose keys contain ``marker``.

    Args:
        marker: the run id every chain key of the run holds.
        first_stages: ``{chain label: name of its first stage}``, so a retry names the stage.
    """

    idempotent = False

    def __init__(self, marker: str, first_stages: Mapping[str, str] | None = None) -> None:
        self.name = f"curator-attempts-{marker}"
        self.marker = marker
        self.first_stages = dict(first_stages or {})
        self.retries: list[Retry] = []
        self._scheduler: Any = None

    async def start(self, scheduler: Any) -> None:
        self._scheduler = scheduler

    def transition(self, key: Any, start: str, finish: str, *args: Any, stimulus_id: str = "", **kwargs: Any) -> None:
        if start != "processing" or finish in ("memory", "erred", "forgotten") or not isinstance(key, str):
            return
        if self.marker not in key:
            return
        worker = kwargs.get("worker")
        label = stage_of_key(key)
        stage = self.first_stages.get(label, label)
        self.retries.append(Retry(key=key, stage_name=stage, reason=_reason(stimulus_id, worker)))


def install(client: Any, marker: str, first_stages: Mapping[str, str] | None = None) -> str | None:
    """Register the plugin; returns its name, or None when the scheduler cannot take it."""
    plugin = AttemptLog(marker, first_stages)
    try:
        client.register_plugin(plugin, name=plugin.name)
    except Exception as e:  # e.g. the scheduler's environment lacks curator_dask
        logger.warning("not recording retried chains: the scheduler refused the plugin (%s)", e)
        return None
    return plugin.name


def _pop(dask_scheduler: Any, name: str) -> list[Retry]:
    plugin = dask_scheduler.plugins.pop(name, None)
    return list(plugin.retries) if plugin is not None else []


def read_and_remove(client: Any, name: str | None) -> list[Retry]:
    """The recorded retries; removes the plugin from the scheduler."""
    if name is None:
        return []
    try:
        return client.run_on_scheduler(_pop, name=name)
    except Exception:  # the scheduler went away: nothing to report
        logger.debug("could not read retried chains", exc_info=True)
        return []
