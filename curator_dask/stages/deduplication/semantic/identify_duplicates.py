"""``IdentifyDuplicatesStage``: pairwise results in, the ids to remove out (NeMo Curator's name).

NeMo Curator's stage reads the pairwise Parquet files of its cache and writes the ids whose
``cosine_sim_score`` is at least ``1 - eps``. Here it is a partition-wise stage over
``DocumentBatch`` tasks holding those pairwise columns (as ``SemanticDuplicateIdentification``
emits with ``eps=None``, or as read back from its output); a writer after it writes the ids.
"""

from __future__ import annotations

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.base import ProcessingStage
from curator_dask.stages.deduplication.semantic.pairwise import ID_COL, SCORE_COL, duplicates_of
from curator_dask.tasks import DocumentBatch
from curator_dask.tasks.frames import is_cudf_frame

__all__ = ["IdentifyDuplicatesStage", "check_eps"]


def check_eps(eps: float | None, allow_none: bool = True) -> float | None:
    """``eps`` if it is a similarity cut in ``[0, 1]`` (or ``None`` where allowed), else a ``ConfigError``."""
    if eps is None and allow_none:
        return None
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 <= float(eps) <= 1.0:
        msg = (
            f"eps={eps!r} is not a similarity cut: pass a number in [0, 1] (documents whose cosine similarity to a "
            "higher-ranked one is at least 1 - eps are duplicates; e.g. 0.01)"
            + ("" if not allow_none else ", or None to keep every pair's score")
        )
        raise ConfigError(msg)
    return float(eps)


class IdentifyDuplicatesStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Keeps the pairwise rows that are duplicates at ``eps``: one ``id`` per document to remove.

    Args:
        eps: a document is a duplicate when its ``cosine_sim_score`` is at least ``1 - eps``.
    """

    name = "IdentifyDuplicatesStage"

    def __init__(self, eps: float) -> None:
        self.eps = check_eps(eps, allow_none=False)

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [ID_COL, SCORE_COL]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [ID_COL]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        df = task.data if is_cudf_frame(task.data) else task.to_pandas()
        missing = [c for c in (ID_COL, SCORE_COL) if c not in df.columns]
        if missing:
            msg = (
                f"Stage {self.name!r}: task {task.task_id} lacks the pairwise column(s) {missing} (it has "
                f"{list(df.columns)}). Feed it SemanticDuplicateIdentification's output with eps=None."
            )
            raise InputError(msg)
        assert self.eps is not None
        ids = duplicates_of(df, self.eps)[[ID_COL]].sort_values(ID_COL, ignore_index=True)
        return DocumentBatch(
            dataset_name=task.dataset_name, data=ids, _metadata={**task._metadata, "num_removed": len(ids)}
        )
