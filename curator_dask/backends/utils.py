"""Names NeMo Curator's ``nemo_curator.backends.utils`` gives to stages' Ray executor hints.

Only ``RayStageSpecKeys`` is mirrored: stages written for NeMo Curator return these keys from
``ray_stage_spec()``. DaskExecutor reads none of them; they are accepted so such stages import and
run unchanged.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["RayStageSpecKeys"]


class RayStageSpecKeys(str, Enum):  # noqa: UP042 - as NeMo Curator has it; StrEnum prints differently
    """Keys of a stage's ``ray_stage_spec()`` dict (NeMo Curator's Ray executors read them)."""

    IS_ACTOR_STAGE = "is_actor_stage"
    IS_FANOUT_STAGE = "is_fanout_stage"
    IS_RAFT_ACTOR = "is_raft_actor"
    IS_LSH_STAGE = "is_lsh_stage"
    IS_SHUFFLE_STAGE = "is_shuffle_stage"
    MAX_CALLS_PER_WORKER = "max_calls_per_worker"
    MIN_WORKERS = "min_workers"
    MAX_WORKERS = "max_workers"
    INITIAL_WORKERS = "initial_workers"
    RAY_REMOTE_ARGS = "ray_remote_args"
