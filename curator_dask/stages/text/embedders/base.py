"""``EmbeddingCreatorStage``: tokenise on CPU, embed on the GPU (or CPU), write one embedding column."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from curator_dask.errors import ConfigError
from curator_dask.models.weights import local_snapshot
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.text.models.model import ModelStage
from curator_dask.stages.text.models.tokenizer import TokenizerStage
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD
from curator_dask.tasks import DocumentBatch

__all__ = ["EmbeddingCreatorStage", "EmbeddingModelStage", "SentenceTransformerEmbeddingModelStage"]

logger = logging.getLogger(__name__)

POOLINGS = ("mean_pooling", "last_token", "cls")


def _checked_kwargs(kwargs: dict[str, Any] | None, forbidden: dict[str, str]) -> dict[str, Any]:
    kwargs = dict(kwargs or {})
    for key, fix in forbidden.items():
        if key in kwargs:
            msg = f"transformers_init_kwargs must not hold {key!r}: {fix}"
            raise ConfigError(msg)
    return kwargs


def _normalize(vectors: Any) -> Any:
    import torch.nn.functional as F

    return F.normalize(vectors.float(), dim=1)


class EmbeddingModelStage(ModelStage):
    """A Hugging Face ``AutoModel`` whose token states are pooled into one normalised vector per row.

    Args:
        pooling: ``"mean_pooling"`` (mean over real tokens), ``"last_token"`` (the last real token)
            or ``"cls"`` (the first token; not in NeMo Curator).
        embedding_field: the output column (a list of floats per row).
        Other arguments as for ``ModelStage``; ``transformers_init_kwargs`` go to ``from_pretrained``.
    """

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        embedding_field: str = "embeddings",
        pooling: Literal["mean_pooling", "last_token", "cls"] = "mean_pooling",
        hf_token: str | None = None,
        model_inference_batch_size: int = 1024,
        has_seq_order: bool = True,
        padding_side: Literal["left", "right"] = "right",
        autocast: bool = True,
        transformers_init_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            model_identifier=model_identifier,
            cache_dir=cache_dir,
            hf_token=hf_token,
            model_inference_batch_size=model_inference_batch_size,
            has_seq_order=has_seq_order,
            padding_side=padding_side,
            unpack_inference_batch=True,
            autocast=autocast,
        )
        if pooling not in POOLINGS:
            msg = f"{type(self).__name__}({model_identifier!r}): pooling must be one of {POOLINGS}, got {pooling!r}"
            raise ConfigError(msg)
        self.embedding_field = embedding_field
        self.pooling = pooling
        self.transformers_init_kwargs = _checked_kwargs(
            transformers_init_kwargs,
            {"cache_dir": "pass cache_dir to the stage", "local_files_only": "the stage stages weights itself"},
        )

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.embedding_field]

    def _setup(self, local_files_only: bool = True) -> None:
        from transformers import AutoModel

        folder = local_snapshot(self.model_identifier, self.cache_dir)
        model = AutoModel.from_pretrained(str(folder), local_files_only=True, **self.transformers_init_kwargs)
        self.model = model.eval().to(self.device)

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> Any:
        assert model_input_batch is not None
        mask = model_input_batch[ATTENTION_MASK_FIELD]
        if self.pooling == "mean_pooling":
            return self._mean_pooling(outputs, mask).cpu()
        if self.pooling == "last_token":
            return self._get_last_token(outputs, mask).cpu()
        return _normalize(outputs[0][:, 0]).cpu()

    def _mean_pooling(self, model_output: Any, attention_mask: Any) -> Any:
        """Normalised mean of the real tokens' states (NeMo Curator's name)."""
        states = model_output[0]
        summed = states.masked_fill(attention_mask.unsqueeze(-1) == 0, 0.0).sum(dim=1)
        return _normalize(summed / attention_mask.sum(dim=1, keepdim=True).clamp(min=1e-9))

    def _get_last_token(self, model_output: Any, attention_mask: Any) -> Any:
        """Normalised state of each row's last real token (NeMo Curator's name)."""
        states = model_output[0]
        if self.padding_side == "right":
            last = (attention_mask.sum(dim=1) - 1).long()
        else:
            last = attention_mask.new_full((len(attention_mask),), states.shape[1] - 1)
        return _normalize(states[range(len(attention_mask)), last])

    def collect_outputs(self, processed_outputs: list[Any]) -> list[list[float]]:
        import torch

        return torch.cat(processed_outputs, dim=0).numpy().tolist()

    def _empty_output(self) -> list[list[float]]:
        return []

    def create_output_dataframe(self, df_cpu: pd.DataFrame, collected_output: Any) -> pd.DataFrame:
        out = df_cpu.drop(columns=[c for c in ("input_ids", ATTENTION_MASK_FIELD) if c in df_cpu.columns])
        out[self.embedding_field] = pd.Series(collected_output, index=out.index, dtype=object)
        return out


class SentenceTransformerEmbeddingModelStage(EmbeddingModelStage):
    """A sentence-transformers model: its own pooling (and normalisation, if the model has it)."""

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        embedding_field: str = "embeddings",
        hf_token: str | None = None,
        model_inference_batch_size: int = 1024,
        has_seq_order: bool = True,
        padding_side: Literal["left", "right"] = "right",
        autocast: bool = True,
        transformers_init_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            model_identifier=model_identifier,
            cache_dir=cache_dir,
            embedding_field=embedding_field,
            hf_token=hf_token,
            model_inference_batch_size=model_inference_batch_size,
            has_seq_order=has_seq_order,
            padding_side=padding_side,
            autocast=autocast,
            transformers_init_kwargs=_checked_kwargs(
                transformers_init_kwargs,
                {"cache_folder": "pass cache_dir to the stage", "use_auth_token": "pass hf_token to the stage"},
            ),
        )
        self.unpack_inference_batch = False  # SentenceTransformer.forward takes the feature dict

    def _setup(self, local_files_only: bool = True) -> None:
        from sentence_transformers import SentenceTransformer

        folder = local_snapshot(self.model_identifier, self.cache_dir)
        self.model = SentenceTransformer(
            str(folder), device=str(self.device), local_files_only=True, **self.transformers_init_kwargs
        ).eval()

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> Any:
        return outputs["sentence_embedding"].float().cpu()


@dataclass(kw_only=True)
class EmbeddingCreatorStage(CompositeStage[DocumentBatch, DocumentBatch]):
    """Embeds ``text_field`` into ``embedding_field``: a ``TokenizerStage`` then an embedding model stage.

    The model stage runs on a GPU worker by default; for CPU workers use
    ``stage.with_({"<model name>_model": {"resources": Resources(cpus=1)}})``.
    Arguments are NeMo Curator's; ``embedding_pooling`` is ignored for sentence-transformers models.
    """

    model_identifier: str = "sentence-transformers/all-MiniLM-L6-v2"
    use_sentence_transformer: bool = True
    text_field: str = "text"
    embedding_field: str = "embeddings"
    cache_dir: str | None = None
    max_chars: int | None = None
    max_seq_length: int | None = None
    padding_side: Literal["left", "right"] = "right"
    embedding_pooling: Literal["mean_pooling", "last_token", "cls"] = "mean_pooling"
    model_inference_batch_size: int = 1024
    autocast: bool = True
    sort_by_length: bool = True
    hf_token: str | None = None
    transformers_init_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        extra: dict[str, Any] = {}
        if self.use_sentence_transformer:
            logger.info(
                "EmbeddingCreatorStage: a sentence-transformers model pools itself; embedding_pooling is unused"
            )
            model_class: type[EmbeddingModelStage] = SentenceTransformerEmbeddingModelStage
        else:
            model_class, extra = EmbeddingModelStage, {"pooling": self.embedding_pooling}
        self.stages: list[ProcessingStage] = [
            TokenizerStage(
                model_identifier=self.model_identifier,
                cache_dir=self.cache_dir,
                hf_token=self.hf_token,
                text_field=self.text_field,
                max_chars=self.max_chars,
                max_seq_length=self.max_seq_length,
                padding_side=self.padding_side,
                sort_by_length=self.sort_by_length,
                transformers_init_kwargs=self.transformers_init_kwargs,
            ),
            model_class(
                model_identifier=self.model_identifier,
                cache_dir=self.cache_dir,
                embedding_field=self.embedding_field,
                hf_token=self.hf_token,
                model_inference_batch_size=self.model_inference_batch_size,
                has_seq_order=self.sort_by_length,
                padding_side=self.padding_side,
                autocast=self.autocast,
                transformers_init_kwargs=self.transformers_init_kwargs,
                **extra,
            ),
        ]

    def decompose(self) -> list[ProcessingStage]:
        return self.stages
