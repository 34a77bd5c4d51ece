"""``DistributedDataClassifier``: tokenizer -> classifier model -> optional filter by label.

The DeBERTa classifiers NeMo Curator ships (quality, domain, content type, ...) are a backbone
with a linear head, saved with ``PyTorchModelHubMixin``: ``Deberta`` below has the same module
layout (``model.*``, ``fc.*``), so the same checkpoint loads here and in NeMo Curator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn

from curator_dask.errors import ConfigError
from curator_dask.models.hub_mixin import backbone_from_config, load_weights, read_config, stage_backbone_config
from curator_dask.models.weights import local_snapshot
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.text.classifiers.utils import LabelIn, SortByLengthStage
from curator_dask.stages.text.filters import Filter
from curator_dask.stages.text.models.model import ModelStage
from curator_dask.stages.text.models.tokenizer import TokenizerStage
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD, INPUT_ID_FIELD, format_name_with_suffix
from curator_dask.tasks import DocumentBatch

__all__ = [
    "ClassifierModelStage",
    "Deberta",
    "DistributedDataClassifier",
    "StagesComposite",
    "labels_from_config",
]


class Deberta(nn.Module):
    """A backbone (``config["base_model"]``'s architecture) with a dropout and a linear head on its
    first token; returns class probabilities."""

    def __init__(self, config: dict[str, Any], cache_dir: str | None = None) -> None:
        super().__init__()
        self.model = backbone_from_config(config["base_model"], cache_dir)
        self.dropout = nn.Dropout(config.get("fc_dropout", 0.0))
        self.fc = nn.Linear(self.model.config.hidden_size, len(config["id2label"]))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.no_grad()
    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        features = self.model(batch[INPUT_ID_FIELD], batch[ATTENTION_MASK_FIELD]).last_hidden_state
        return torch.softmax(self.fc(self.dropout(features))[:, 0, :].float(), dim=1)


def labels_from_config(config: dict[str, Any]) -> list[str]:
    """Class names in output order: ``label2id`` sorted by id (else ``id2label`` by id)."""
    if config.get("label2id"):
        return sorted(config["label2id"], key=lambda label: int(config["label2id"][label]))
    return [config["id2label"][k] for k in sorted(config["id2label"], key=int)]


class ClassifierModelStage(ModelStage):
    """A ``Deberta`` classifier: writes the top label to ``label_field`` (and, when ``score_field``
    is given, the class probabilities as a list per row)."""

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        label_field: str = "preds",
        score_field: str | None = None,
        model_inference_batch_size: int = 256,
        has_seq_order: bool = True,
        padding_side: Literal["left", "right"] = "right",
        max_seq_length: int | None = None,
        autocast: bool = True,
        keep_tokens: bool = False,
    ) -> None:
        super().__init__(
            model_identifier=model_identifier,
            cache_dir=cache_dir,
            model_inference_batch_size=model_inference_batch_size,
            has_seq_order=has_seq_order,
            padding_side=padding_side,
            max_seq_length=max_seq_length,
            unpack_inference_batch=False,
            autocast=autocast,
        )
        self.label_field = label_field
        self.keep_score_field = score_field is not None
        self.score_field = score_field if score_field is not None else "probs"
        self.keep_tokens = keep_tokens

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.label_field] + ([self.score_field] if self.keep_score_field else [])

    def _stage_more(self) -> None:
        stage_backbone_config(read_config(local_snapshot(self.model_identifier, self.cache_dir)), self.cache_dir, None)

    def _setup(self, local_files_only: bool = True) -> None:
        folder = local_snapshot(self.model_identifier, self.cache_dir)
        config = read_config(folder)
        self.labels = labels_from_config(config)
        self.model = load_weights(Deberta(config, self.cache_dir), folder).to(self.device).eval()

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> dict[str, Any]:
        probs = outputs.float().cpu().numpy()
        return {self.score_field: probs, self.label_field: np.array([self.labels[i] for i in probs.argmax(axis=1)])}

    def _empty_output(self) -> dict[str, Any]:
        return {self.score_field: np.zeros((0, 0)), self.label_field: np.array([], dtype=object)}

    def create_output_dataframe(self, df_cpu: pd.DataFrame, collected_output: dict[str, Any]) -> pd.DataFrame:
        out = df_cpu if self.keep_tokens else df_cpu.drop(columns=[INPUT_ID_FIELD, ATTENTION_MASK_FIELD])
        out[self.label_field] = collected_output[self.label_field]
        if self.keep_score_field:
            out[self.score_field] = pd.Series(
                list(collected_output[self.score_field].tolist()), index=out.index, dtype=object
            )
        return out


def tokenizer_and_sort(
    model_identifier: str,
    cache_dir: str | None,
    text_field: str,
    max_chars: int | None,
    max_seq_length: int | None,
    padding_side: Literal["left", "right"],
    sort_by_length: bool,
    use_existing_tokens: bool,
) -> list[ProcessingStage]:
    """The stages before a classifier's model: a tokenizer, or (existing tokens) a length sort."""
    if not use_existing_tokens:
        return [
            TokenizerStage(
                model_identifier=model_identifier,
                cache_dir=cache_dir,
                text_field=text_field,
                max_chars=max_chars,
                max_seq_length=max_seq_length,
                padding_side=padding_side,
                sort_by_length=sort_by_length,
            )
        ]
    return [SortByLengthStage()] if sort_by_length else []


def label_filter(filter_by: list[str] | None, label_field: str) -> list[ProcessingStage]:
    """A ``Filter`` keeping rows whose ``label_field`` is in ``filter_by`` (none when not asked)."""
    if filter_by is None or len(filter_by) == 0:
        return []
    if isinstance(filter_by, str):
        msg = f"filter_by takes a list of labels, got the string {filter_by!r}; write filter_by=[{filter_by!r}]"
        raise ConfigError(msg)
    return [Filter(filter_fn=LabelIn(filter_by), filter_field=label_field)]


class StagesComposite:
    """What the classifier composites share: their sub-stages sit in ``self.stages``."""

    stages: list[ProcessingStage]
    filter_by: list[str] | None

    def inputs(self) -> tuple[list[str], list[str]]:
        return self.stages[0].inputs()  # type: ignore[return-value]

    def outputs(self) -> tuple[list[str], list[str]]:
        return self.stages[-1].outputs()

    def filter_by_category(self, value: str) -> bool:
        return self.filter_by is not None and value in self.filter_by

    def decompose(self) -> list[ProcessingStage]:
        return self.stages


@dataclass(kw_only=True)
class DistributedDataClassifier(StagesComposite, CompositeStage[DocumentBatch, DocumentBatch]):
    """A Hugging Face classifier over a text column: tokenizer (CPU) -> model (GPU) -> filter.

    The model stage runs on GPU workers by default; for CPU workers use
    ``classifier.with_({"<name>_model": {"resources": Resources(cpus=1)}})``. Arguments are NeMo
    Curator's: ``filter_by`` keeps only rows whose label is listed; ``use_existing_tokens`` skips
    tokenising and reads ``input_ids`` / ``attention_mask`` (clipped to ``max_seq_length``).
    """

    model_identifier: str
    cache_dir: str | None = None
    label_field: str = "preds"
    score_field: str | None = None
    text_field: str = "text"
    filter_by: list[str] | None = None
    max_chars: int | None = None
    max_seq_length: int | None = None
    padding_side: Literal["left", "right"] = "right"
    sort_by_length: bool = True
    model_inference_batch_size: int = 256
    autocast: bool = True
    keep_tokens: bool = False
    use_existing_tokens: bool = False

    def __post_init__(self) -> None:
        if not hasattr(self, "name") or self.name == ProcessingStage.name:
            self.name = format_name_with_suffix(self.model_identifier)
        self.stages: list[ProcessingStage] = [
            *tokenizer_and_sort(
                self.model_identifier,
                self.cache_dir,
                self.text_field,
                self.max_chars,
                self.max_seq_length,
                self.padding_side,
                self.sort_by_length,
                self.use_existing_tokens,
            ),
            ClassifierModelStage(
                model_identifier=self.model_identifier,
                cache_dir=self.cache_dir,
                label_field=self.label_field,
                score_field=self.score_field,
                model_inference_batch_size=self.model_inference_batch_size,
                has_seq_order=self.sort_by_length,
                padding_side=self.padding_side,
                # the tokenizer already cut to max_seq_length; existing tokens are cut by the model
                max_seq_length=self.max_seq_length if self.use_existing_tokens else None,
                autocast=self.autocast,
                keep_tokens=self.keep_tokens,
            ),
            *label_filter(self.filter_by, self.label_field),
        ]


def init_named(
    stage: DistributedDataClassifier, model_identifier: str, max_seq_length: int, arguments: dict[str, Any]
) -> None:
    """Initialise a named classifier from its ``__init__``'s ``locals()`` (its own keyword list)."""
    kwargs = {k: v for k, v in arguments.items() if k not in ("self", "__class__")}
    DistributedDataClassifier.__init__(
        stage, model_identifier=model_identifier, max_seq_length=max_seq_length, padding_side="right", **kwargs
    )
