"""``SemanticDeduplicationWorkflow``: embeddings in files -> ids to remove (or deduplicated documents).

NeMo Curator's workflow runs k-means on Ray actors and the pairwise step on another executor,
with a cache folder between them. Here it is one ``Pipeline`` on one ``DaskExecutor``: reader ->
``SemanticDuplicateIdentification`` (a whole-collection stage: k-means, shuffle by cluster,
pairwise, eps cut) -> Parquet writer. Nothing is cached between steps; the outputs are

- ``eps`` given: ``<output_path>/duplicates`` (NeMo's column ``id``: one row per document to remove);
- ``eps=None``: ``<cache_path>/pairwise_results`` (``id``, ``max_id``, ``cosine_sim_score``, ``centroid``);
- ``perform_removal=True`` (ours; needs ``eps``): ``<output_path>/deduplicated``, the input documents
  minus the duplicates.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.deduplication.semantic.identification import SemanticDuplicateIdentification
from curator_dask.stages.deduplication.semantic.ranking import RankingStrategy
from curator_dask.stages.text.io.reader import JsonlReader, ParquetReader
from curator_dask.stages.text.io.writer import JsonlWriter, ParquetWriter

__all__ = ["SemanticDeduplicationReport", "SemanticDeduplicationWorkflow", "run_semantic_pipeline"]

READERS = {"jsonl": JsonlReader, "parquet": ParquetReader}
WRITERS: dict[str, type[JsonlWriter] | type[ParquetWriter]] = {"jsonl": JsonlWriter, "parquet": ParquetWriter}
_METRICS = ("documents_in", "documents_removed", "kmeans_iterations", "kmeans_s", "shuffle_s", "pairwise_s")


@dataclass
class SemanticDeduplicationReport:
    """What a semantic deduplication run did (counts, k-means iterations, seconds per step, files)."""

    documents_in: int = 0
    documents_removed: int = 0
    kmeans_iterations: int = 0
    kmeans_s: float = 0.0
    shuffle_s: float = 0.0
    pairwise_s: float = 0.0
    output_files: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return asdict(self)


def run_semantic_pipeline(pipeline: Pipeline, executor: Any) -> SemanticDeduplicationReport:
    """Run a pipeline holding one ``SemanticDuplicateIdentification`` and report on it."""
    began = time.perf_counter()
    result = pipeline.run(executor)
    report = SemanticDeduplicationReport(output_files=sorted(p for task in result for p in task.data))
    for task in result[:1]:
        record = next(p for p in task._stage_perf if p.stage_name == SemanticDuplicateIdentification.name)
        for key in _METRICS:
            setattr(report, key, type(getattr(report, key))(record.custom_metrics.get(key, 0)))
    report.elapsed_s = time.perf_counter() - began
    return report


class SemanticDeduplicationWorkflow:
    """Semantic deduplication of documents that already hold embeddings (NeMo Curator's arguments).

    Args:
        input_path: files (or folders, globs) holding ``id_field`` and ``embedding_field``.
        output_path: where the duplicates (or deduplicated documents) go.
        n_clusters: k-means clusters.
        cache_path: where the pairwise results go when ``eps`` is None (default ``output_path``).
        id_field, embedding_field, metadata_fields: the columns (``metadata_fields``: those a
            ``ranking_strategy`` sorts by).
        input_filetype, input_file_extensions: the reader's format and file endings.
        max_iter, tol, random_state, init, n_init: k-means options.
        oversampling_factor: the initialisation sample holds ``oversampling_factor * 8 * n_clusters``
            documents (at least 10,000, at most all).
        max_samples_per_batch: documents per distance block when assigning clusters.
        fit_data_fraction: only ``None`` (fit on all documents) is supported.
        distance_metric, which_to_keep, ranking_strategy: which document of a group is kept.
        pairwise_batch_size: block width of the pairwise comparison.
        eps: the similarity cut (``1 - eps``); ``None``: write every document's pairwise row.
        read_kwargs, write_kwargs, cache_kwargs: reader and writer options.
        clear_output: replace earlier curator_dask output in the output folders (never other files).
        verbose: accepted for NeMo compatibility; progress goes to the ``logging`` module.
        perform_removal: write the deduplicated documents instead of the ids (ours).
        output_filetype: format of the deduplicated documents (ours; default ``input_filetype``).
        files_per_partition, input_blocksize: reader partitioning (ours).
        shuffle_method: Dask's shuffle method (ours).
    """

    def __init__(
        self,
        input_path: str | list[str],
        output_path: str,
        n_clusters: int,
        cache_path: str | None = None,
        id_field: str = "id",
        embedding_field: str = "embeddings",
        metadata_fields: list[str] | None = None,
        input_filetype: Literal["parquet", "jsonl"] = "parquet",
        input_file_extensions: list[str] | None = None,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int = 42,
        init: Literal["k-means||", "k-means++", "random"] | np.ndarray = "k-means||",
        n_init: int | Literal["auto"] = 1,
        oversampling_factor: float = 2.0,
        max_samples_per_batch: int = 1 << 15,
        fit_data_fraction: float | None = None,
        distance_metric: Literal["cosine", "l2"] = "cosine",
        which_to_keep: Literal["hard", "easy", "random"] = "hard",
        ranking_strategy: RankingStrategy | None = None,
        pairwise_batch_size: int = 1024,
        eps: float | None = None,
        read_kwargs: dict[str, Any] | None = None,
        cache_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
        clear_output: bool = True,
        verbose: bool = True,
        perform_removal: bool = False,
        output_filetype: Literal["parquet", "jsonl"] | None = None,
        files_per_partition: int | None = None,
        input_blocksize: int | str | None = None,
        shuffle_method: Literal["tasks", "p2p"] = "tasks",
    ) -> None:
        for label, value in (("input_filetype", input_filetype), ("output_filetype", output_filetype)):
            if value is not None and value not in READERS:
                raise ConfigError(f"{label}={value!r} is not supported; pass one of {sorted(READERS)}")
        if fit_data_fraction is not None:
            msg = (
                f"fit_data_fraction={fit_data_fraction!r} is not supported: k-means here fits on every document "
                "(only its initialisation uses a sample). Pass fit_data_fraction=None."
            )
            raise ConfigError(msg)
        if oversampling_factor <= 0:
            raise ConfigError(f"oversampling_factor={oversampling_factor!r} must be positive")
        self.input_path, self.output_path = input_path, output_path
        self.cache_path = cache_path or output_path
        self.input_filetype, self.input_file_extensions = input_filetype, input_file_extensions
        self.output_filetype = output_filetype or input_filetype
        self.read_kwargs, self.write_kwargs = dict(read_kwargs or {}), dict(write_kwargs or {})
        self.cache_kwargs = dict(cache_kwargs or self.write_kwargs)
        self.files_per_partition, self.input_blocksize = files_per_partition, input_blocksize
        self.write_mode: Literal["overwrite", "error"] = "overwrite" if clear_output else "error"
        self.verbose = verbose
        self.eps, self.perform_removal = eps, perform_removal
        self.stage = SemanticDuplicateIdentification(
            id_field=id_field,
            embedding_field=embedding_field,
            n_clusters=n_clusters,
            eps=eps,
            which_to_keep=which_to_keep,
            distance_metric=distance_metric,
            ranking_strategy=ranking_strategy,
            metadata_fields=metadata_fields,
            max_iter=max_iter,
            tol=tol,
            random_state=random_state,
            init=init,
            n_init=n_init,
            init_sample_size=max(10_000, int(oversampling_factor * 8 * n_clusters)),
            max_samples_per_batch=max_samples_per_batch,
            pairwise_batch_size=pairwise_batch_size,
            perform_removal=perform_removal,
            shuffle_method=shuffle_method,
        )

    @property
    def result_path(self) -> str:
        """The folder this run writes: duplicates, deduplicated documents or pairwise results."""
        if self.perform_removal:
            return os.path.join(self.output_path, "deduplicated")
        if self.eps is None:
            return os.path.join(self.cache_path, "pairwise_results")
        return os.path.join(self.output_path, "duplicates")

    def pipeline(self) -> Pipeline:
        """Reader -> ``SemanticDuplicateIdentification`` -> writer (new stages on every call)."""
        reader = READERS[self.input_filetype](
            file_paths=self.input_path,
            files_per_partition=self.files_per_partition,
            blocksize=self.input_blocksize,
            file_extensions=self.input_file_extensions,
            read_kwargs=self.read_kwargs,
        )
        kind = self.output_filetype if self.perform_removal else "parquet"
        options = self.write_kwargs if self.perform_removal or self.eps is not None else self.cache_kwargs
        writer = WRITERS[kind](path=self.result_path, write_kwargs=options, mode=self.write_mode)
        return Pipeline(name=type(self).__name__, stages=[reader, self.stage.with_(), writer])

    def run(self, executor: Any = None) -> SemanticDeduplicationReport:
        """Run on ``executor`` (by default a new ``DaskExecutor``) and report."""
        return run_semantic_pipeline(self.pipeline(), executor)
