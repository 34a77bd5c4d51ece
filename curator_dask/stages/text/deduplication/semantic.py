"""``TextSemanticDeduplicationWorkflow``: read text, embed it, deduplicate by meaning, write.

One ``Pipeline`` on one ``DaskExecutor``: reader -> ``AddId`` (with ``use_id_generator``) ->
``EmbeddingCreatorStage`` -> ``SemanticDuplicateIdentification`` -> writer. NeMo Curator runs
three pipelines (embedding, semantic dedup, removal) with the embeddings cached as Parquet in
between and the input read twice; here the embeddings stay in the workers' memory and the
documents are read once. Outputs as NeMo names them: ``<output_path>/deduplicated`` (with
``perform_removal``, the default), else ``<output_path>/duplicates`` (the ids to remove), or,
with ``eps=None``, ``<cache_path>/pairwise_results``. The embedding column is not written to
the deduplicated documents (NeMo removes from the original input, which has none).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from curator_dask.errors import ConfigError
from curator_dask.pipeline import Pipeline
from curator_dask.stages.deduplication.identification import CURATOR_DEDUP_ID_STR
from curator_dask.stages.deduplication.semantic.identification import SemanticDuplicateIdentification
from curator_dask.stages.deduplication.semantic.ranking import RankingStrategy
from curator_dask.stages.deduplication.semantic.workflow import (
    READERS,
    WRITERS,
    SemanticDeduplicationReport,
    run_semantic_pipeline,
)
from curator_dask.stages.resources import Resources
from curator_dask.stages.text.modules import AddId

__all__ = ["TextSemanticDeduplicationWorkflow"]


@dataclass
class TextSemanticDeduplicationWorkflow:
    """End-to-end semantic deduplication of text (NeMo Curator's fields; ours are marked).

    Embedding: ``text_field``, ``embedding_field``, ``model_identifier`` (a sentence-transformers
    model, as ``EmbeddingCreatorStage`` loads it), ``embedding_max_chars``, ``hf_token``,
    ``model_cache_dir``; ``embedding_model_inference_batch_size`` and ``embedding_resources``
    (ours: the model stage's resources; ``None``: one GPU, as ``EmbeddingCreatorStage``; pass
    ``Resources(cpus=1)`` for CPU workers). Semantic dedup: ``n_clusters``, ``id_field``,
    ``metadata_fields``, ``distance_metric``, ``which_to_keep``, ``eps``, ``kmeans_*``,
    ``ranking_strategy``, ``pairwise_batch_size`` (see ``SemanticDeduplicationWorkflow``).
    Ids: ``use_id_generator`` adds ids with ``AddId`` (into ``id_field``, which must then be
    ``CURATOR_DEDUP_ID_STR``) and drops them from the output. I/O: ``input_*``, ``output_*``,
    ``read_kwargs``, ``write_kwargs``, ``cache_kwargs``; ``clear_output`` replaces earlier
    curator_dask output (never other files). ``verbose`` is accepted; progress goes to logging.
    """

    input_path: str | list[str]
    output_path: str
    cache_path: str | None = None
    perform_removal: bool = True
    text_field: str = "text"
    embedding_field: str = "embeddings"
    model_identifier: str = "sentence-transformers/all-MiniLM-L6-v2"
    embedding_max_chars: int | None = None
    hf_token: str | None = None
    model_cache_dir: str | None = None
    embedding_model_inference_batch_size: int = 256
    embedding_resources: Resources | None = None
    n_clusters: int = 100
    id_field: str = CURATOR_DEDUP_ID_STR
    metadata_fields: list[str] | None = None
    distance_metric: Literal["cosine", "l2"] = "cosine"
    which_to_keep: Literal["hard", "easy", "random"] = "hard"
    eps: float | None = 0.01
    kmeans_max_iter: int = 300
    kmeans_tol: float = 1e-4
    kmeans_random_state: int = 42
    kmeans_init: str = "k-means||"
    kmeans_n_init: int | Literal["auto"] = 1
    kmeans_oversampling_factor: float = 2.0
    kmeans_max_samples_per_batch: int = 1 << 15
    ranking_strategy: RankingStrategy | None = None
    pairwise_batch_size: int = 1024
    use_id_generator: bool = False
    input_filetype: Literal["jsonl", "parquet"] = "parquet"
    input_file_extensions: list[str] | None = None
    input_files_per_partition: int | None = None
    input_blocksize: int | str | None = None
    output_filetype: Literal["jsonl", "parquet"] = "parquet"
    output_fields: list[str] | None = None
    read_kwargs: dict[str, Any] = field(default_factory=dict)
    cache_kwargs: dict[str, Any] = field(default_factory=dict)
    write_kwargs: dict[str, Any] = field(default_factory=dict)
    verbose: bool = True
    clear_output: bool = True

    def __post_init__(self) -> None:
        for label, value in (("input_filetype", self.input_filetype), ("output_filetype", self.output_filetype)):
            if value not in READERS:
                raise ConfigError(f"{label}={value!r} is not supported; pass one of {sorted(READERS)}")
        if self.perform_removal and self.eps is None:
            msg = (
                "perform_removal=True but eps=None: without eps no duplicates can be identified. "
                "Set eps (e.g. 0.01) or perform_removal=False"
            )
            raise ConfigError(msg)
        if self.use_id_generator and self.id_field != CURATOR_DEDUP_ID_STR:
            msg = (
                f"use_id_generator=True writes ids to {CURATOR_DEDUP_ID_STR!r}; pass "
                f"id_field={CURATOR_DEDUP_ID_STR!r} (got {self.id_field!r})"
            )
            raise ConfigError(msg)
        self.cache_path = self.cache_path or self.output_path
        self.stage()  # check the dedup settings now, not at run time

    @property
    def result_path(self) -> str:
        """The folder this run writes."""
        if self.perform_removal:
            return os.path.join(self.output_path, "deduplicated")
        if self.eps is None:
            return os.path.join(str(self.cache_path), "pairwise_results")
        return os.path.join(self.output_path, "duplicates")

    def stage(self) -> SemanticDuplicateIdentification:
        """The semantic dedup stage with this workflow's settings."""
        drop = [self.embedding_field] + ([self.id_field] if self.use_id_generator and not self.output_fields else [])
        return SemanticDuplicateIdentification(
            id_field=self.id_field,
            embedding_field=self.embedding_field,
            n_clusters=self.n_clusters,
            eps=self.eps,
            which_to_keep=self.which_to_keep,
            distance_metric=self.distance_metric,
            ranking_strategy=self.ranking_strategy,
            metadata_fields=self.metadata_fields,
            max_iter=self.kmeans_max_iter,
            tol=self.kmeans_tol,
            random_state=self.kmeans_random_state,
            init=self.kmeans_init,
            n_init=self.kmeans_n_init,
            init_sample_size=max(10_000, int(self.kmeans_oversampling_factor * 8 * self.n_clusters)),
            max_samples_per_batch=self.kmeans_max_samples_per_batch,
            pairwise_batch_size=self.pairwise_batch_size,
            perform_removal=self.perform_removal,
            drop_fields=drop,
        )

    def embedder(self) -> Any:
        """The ``EmbeddingCreatorStage`` (imported here: it needs the models extra)."""
        from curator_dask.stages.text.embedders import EmbeddingCreatorStage

        creator = EmbeddingCreatorStage(
            model_identifier=self.model_identifier,
            text_field=self.text_field,
            embedding_field=self.embedding_field,
            cache_dir=self.model_cache_dir,
            max_chars=self.embedding_max_chars,
            hf_token=self.hf_token,
            model_inference_batch_size=self.embedding_model_inference_batch_size,
        )
        if self.embedding_resources is None:
            return creator
        model = creator.decompose()[-1]
        return creator.with_({str(model.name): {"resources": self.embedding_resources}})

    def pipeline(self) -> Pipeline:
        """Reader -> (``AddId``) -> embedder -> semantic dedup -> writer, built anew on every call."""
        reader = READERS[self.input_filetype](
            file_paths=self.input_path,
            files_per_partition=self.input_files_per_partition,
            blocksize=self.input_blocksize,
            file_extensions=self.input_file_extensions,
            read_kwargs=self.read_kwargs,
        )
        stages: list[Any] = [reader, *([AddId(id_field=self.id_field)] if self.use_id_generator else [])]
        kind = self.output_filetype if self.perform_removal else "parquet"
        options = self.cache_kwargs if self.eps is None else self.write_kwargs
        mode: Literal["overwrite", "error"] = "overwrite" if self.clear_output else "error"
        fields = self.output_fields if self.perform_removal else None
        writer = WRITERS[kind](path=self.result_path, fields=fields, write_kwargs=options, mode=mode)
        return Pipeline(name=type(self).__name__, stages=[*stages, self.embedder(), self.stage(), writer])

    def run(self, executor: Any = None) -> SemanticDeduplicationReport:
        """Run on ``executor`` (by default a new ``DaskExecutor``) and report."""
        return run_semantic_pipeline(self.pipeline(), executor)
