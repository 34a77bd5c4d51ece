"""The Dask backend: ``DaskExecutor`` and its stage adapter.

Reading order, one file per role:

- ``executor`` — ``DaskExecutor``: pre-flight checks, connect, run the driver.
- ``config`` — ``DaskExecutorConfig``: every setting, validated once.
- ``plan`` — pure planning: stage profiles, the fusion plan, batch split points, resources.
- ``driver`` — the loop: queued chains, chains in flight, collection stages, totals.
- ``chain`` — what runs on a worker: one batch through fused stages.
- ``adapter`` — the stage adapter (and the one place that picks NeMo Curator's for its stages).
- ``collection`` — lifting batches into a dask dataframe for whole-collection stages, and back.
- ``setup`` — the worker plugin that sets stages up, and the once-per-node election.
- ``resume``, ``fingerprint`` — resumable runs (the ledger, carried by chain spec and outcome).
- ``attempts`` — which chains ran again and why (and the chain-key format).
- ``diagnostics`` — stalls and lost-worker explanations.
- ``progress`` — the live progress display (tqdm bars or log lines).
- ``shipping`` — the user's own modules sent to workers that cannot import them.
- ``interop`` — recognising NeMo Curator's own stages and tasks.
"""

from curator_dask.backends.dask.adapter import DaskStageAdapter
from curator_dask.backends.dask.config import DaskExecutorConfig
from curator_dask.backends.dask.executor import DaskExecutor

__all__ = ["DaskExecutor", "DaskExecutorConfig", "DaskStageAdapter"]
