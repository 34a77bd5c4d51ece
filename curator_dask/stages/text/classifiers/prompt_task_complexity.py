"""``PromptTaskComplexityClassifier``: NVIDIA's multi-headed prompt task and complexity model.

A DeBERTa backbone, mean pooling and one linear head per target, saved as NeMo Curator's
``CustomDeberta`` (``backbone.*``, ``head_<i>.fc.*``): eleven task types (top two with the first's
probability) and six complexity dimensions, ensembled into ``prompt_complexity_score``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from curator_dask.errors import ConfigError
from curator_dask.models.hub_mixin import backbone_from_config, load_weights, read_config, stage_backbone_config
from curator_dask.models.weights import local_snapshot
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.text.classifiers.base import StagesComposite, tokenizer_and_sort
from curator_dask.stages.text.models.model import ModelStage
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD, INPUT_ID_FIELD, format_name_with_suffix
from curator_dask.tasks import DocumentBatch

__all__ = [
    "OUTPUT_FIELDS",
    "PROMPT_TASK_COMPLEXITY_MODEL_IDENTIFIER",
    "CustomDeberta",
    "PromptTaskComplexityClassifier",
]

PROMPT_TASK_COMPLEXITY_MODEL_IDENTIFIER = "nvidia/prompt-task-and-complexity-classifier"
MAX_SEQ_LENGTH = 512
TARGETS = (  # heads in checkpoint order, after task_type
    "creativity_scope",
    "reasoning",
    "contextual_knowledge",
    "number_of_few_shots",
    "domain_knowledge",
    "no_label_reason",
    "constraint_ct",
)
OUTPUT_FIELDS = ["prompt_complexity_score", "task_type_1", "task_type_2", "task_type_prob", *TARGETS]
SCORE_WEIGHTS = {  # the ensemble NeMo Curator computes
    "creativity_scope": 0.35,
    "reasoning": 0.25,
    "constraint_ct": 0.15,
    "domain_knowledge": 0.15,
    "contextual_knowledge": 0.05,
    "number_of_few_shots": 0.05,
}
SECOND_TASK_MIN_PROB = 0.1
FEW_SHOTS_MIN = 0.05


class _Head(nn.Module):
    def __init__(self, size: int, classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(size, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


class CustomDeberta(nn.Module):
    """Backbone + mean pooling + one head per target; ``forward`` returns one column per output."""

    def __init__(self, config: dict[str, Any], cache_dir: str | None = None) -> None:
        super().__init__()
        self.backbone = backbone_from_config(config["base_model"], cache_dir)
        self.task_type_map = config["task_type_map"]
        self.weights_map = config["weights_map"]
        self.divisor_map = config["divisor_map"]
        self.target_sizes = list(config["target_sizes"].values())
        for i, size in enumerate(self.target_sizes):
            self.add_module(f"head_{i}", _Head(self.backbone.config.hidden_size, size))

    def _task_types(self, logits: torch.Tensor) -> dict[str, list[Any]]:
        top2 = torch.topk(logits, k=2, dim=1).indices
        probs = torch.softmax(logits, dim=1).gather(1, top2).cpu().tolist()
        names = [[self.task_type_map[str(i)] for i in row] for row in top2.cpu().tolist()]
        probs = [[round(p, 3) for p in row] for row in probs]
        second = [n[1] if p[1] >= SECOND_TASK_MIN_PROB else "NA" for n, p in zip(names, probs, strict=True)]
        return {"task_type_1": [n[0] for n in names], "task_type_2": second, "task_type_prob": [p[0] for p in probs]}

    def _score(self, logits: torch.Tensor, target: str) -> list[float]:
        weighted = (torch.softmax(logits, dim=1).cpu().numpy() * np.array(self.weights_map[target])).sum(axis=1)
        scores = [round(float(v), 4) for v in weighted / self.divisor_map[target]]
        return [s if s >= FEW_SHOTS_MIN else 0 for s in scores] if target == "number_of_few_shots" else scores

    @torch.no_grad()
    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, list[Any]]:
        mask = batch[ATTENTION_MASK_FIELD]
        states = self.backbone(input_ids=batch[INPUT_ID_FIELD], attention_mask=mask).last_hidden_state.float()
        weights = mask.unsqueeze(-1).float()
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        logits = [getattr(self, f"head_{i}")(pooled).float() for i in range(len(self.target_sizes))]
        result = self._task_types(logits[0])
        result.update({t: self._score(logits[i + 1], t) for i, t in enumerate(TARGETS)})
        result["prompt_complexity_score"] = [
            round(sum(w * result[t][row] for t, w in SCORE_WEIGHTS.items()), 5) for row in range(len(pooled))
        ]
        return result


class PromptTaskComplexityModelStage(ModelStage):
    """Runs ``CustomDeberta``; writes the eleven ``OUTPUT_FIELDS`` columns."""

    def __init__(
        self,
        cache_dir: str | None = None,
        model_inference_batch_size: int = 256,
        has_seq_order: bool = True,
        max_seq_length: int | None = None,
        autocast: bool = True,
        keep_tokens: bool = False,
    ) -> None:
        super().__init__(
            model_identifier=PROMPT_TASK_COMPLEXITY_MODEL_IDENTIFIER,
            cache_dir=cache_dir,
            model_inference_batch_size=model_inference_batch_size,
            has_seq_order=has_seq_order,
            padding_side="right",
            max_seq_length=max_seq_length,
            autocast=autocast,
        )
        self.keep_tokens = keep_tokens

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], list(OUTPUT_FIELDS)

    def _stage_more(self) -> None:
        stage_backbone_config(read_config(local_snapshot(self.model_identifier, self.cache_dir)), self.cache_dir, None)

    def _setup(self, local_files_only: bool = True) -> None:
        folder = local_snapshot(self.model_identifier, self.cache_dir)
        model = load_weights(CustomDeberta(read_config(folder), self.cache_dir), folder)
        self.model = model.to(self.device).eval()

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> Any:
        return outputs

    def _empty_output(self) -> dict[str, Any]:
        return {column: np.array([]) for column in OUTPUT_FIELDS}

    def create_output_dataframe(self, df_cpu: pd.DataFrame, collected_output: dict[str, Any]) -> pd.DataFrame:
        out = df_cpu if self.keep_tokens else df_cpu.drop(columns=[INPUT_ID_FIELD, ATTENTION_MASK_FIELD])
        for column in OUTPUT_FIELDS:
            out[column] = collected_output[column]
        return out


@dataclass
class PromptTaskComplexityClassifier(StagesComposite, CompositeStage[DocumentBatch, DocumentBatch]):
    """Classifies prompts with https://huggingface.co/nvidia/prompt-task-and-complexity-classifier.

    NeMo Curator's arguments; ``filter_by`` is not supported (``NotImplementedError``, as there).
    """

    cache_dir: str | None = None
    text_field: str = "text"
    filter_by: list[str] | None = None
    max_chars: int | None = None
    sort_by_length: bool = True
    model_inference_batch_size: int = 256
    autocast: bool = True
    keep_tokens: bool = False
    use_existing_tokens: bool = False

    def __post_init__(self) -> None:
        self.name = format_name_with_suffix(PROMPT_TASK_COMPLEXITY_MODEL_IDENTIFIER)
        if self.filter_by:
            msg = "filter_by not supported with PromptTaskComplexityClassifier"
            raise _FilterByNotSupported(msg)
        self.stages: list[ProcessingStage] = [
            *tokenizer_and_sort(
                PROMPT_TASK_COMPLEXITY_MODEL_IDENTIFIER,
                self.cache_dir,
                self.text_field,
                self.max_chars,
                MAX_SEQ_LENGTH,
                "right",
                self.sort_by_length,
                self.use_existing_tokens,
            ),
            PromptTaskComplexityModelStage(
                cache_dir=self.cache_dir,
                model_inference_batch_size=self.model_inference_batch_size,
                has_seq_order=self.sort_by_length,
                max_seq_length=MAX_SEQ_LENGTH if self.use_existing_tokens else None,
                autocast=self.autocast,
                keep_tokens=self.keep_tokens,
            ),
        ]


class _FilterByNotSupported(ConfigError, NotImplementedError):
    """NeMo Curator raises ``NotImplementedError`` here; ours is also a ``ConfigError``."""
