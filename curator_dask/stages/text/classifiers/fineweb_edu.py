"""The FineWeb-Edu family: educational-value regressors scoring 0-5 (``AutoModelForSequenceClassification``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.models.weights import local_snapshot
from curator_dask.stages.base import CompositeStage, ProcessingStage
from curator_dask.stages.text.classifiers.base import StagesComposite, label_filter, tokenizer_and_sort
from curator_dask.stages.text.models.model import ModelStage
from curator_dask.stages.text.models.utils import ATTENTION_MASK_FIELD, INPUT_ID_FIELD, format_name_with_suffix
from curator_dask.tasks import DocumentBatch

__all__ = [
    "FINEWEB_EDU_MODEL_IDENTIFIER",
    "FINEWEB_MIXTRAL_EDU_MODEL_IDENTIFIER",
    "FINEWEB_NEMOTRON_EDU_MODEL_IDENTIFIER",
    "FineWebEduClassifier",
    "FineWebMixtralEduClassifier",
    "FineWebModelStage",
    "FineWebNemotronEduClassifier",
]

FINEWEB_EDU_MODEL_IDENTIFIER = "HuggingFaceFW/fineweb-edu-classifier"
FINEWEB_MIXTRAL_EDU_MODEL_IDENTIFIER = "nvidia/nemocurator-fineweb-mixtral-edu-classifier"
FINEWEB_NEMOTRON_EDU_MODEL_IDENTIFIER = "nvidia/nemocurator-fineweb-nemotron-4-edu-classifier"
MAX_SEQ_LENGTH = 512
HIGH_QUALITY_THRESHOLD = 2.5


class FineWebModelStage(ModelStage):
    """A one-output regression head: float score (clipped to 0-5), int score, and a label
    (``high_quality`` at 2.5 and above, else ``low_quality``)."""

    def __init__(
        self,
        model_identifier: str,
        cache_dir: str | None = None,
        label_field: str = "preds",
        float_score_field: str = "float_score",
        int_score_field: str = "int_score",
        model_inference_batch_size: int = 256,
        has_seq_order: bool = True,
        autocast: bool = True,
        keep_tokens: bool = False,
    ) -> None:
        super().__init__(
            model_identifier=model_identifier,
            cache_dir=cache_dir,
            model_inference_batch_size=model_inference_batch_size,
            has_seq_order=has_seq_order,
            padding_side="right",
            unpack_inference_batch=True,
            autocast=autocast,
        )
        self.label_field = label_field
        self.float_score_field = float_score_field
        self.int_score_field = int_score_field
        self.keep_tokens = keep_tokens

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.label_field, self.float_score_field, self.int_score_field]

    def _setup(self, local_files_only: bool = True) -> None:
        from transformers import AutoModelForSequenceClassification

        folder = local_snapshot(self.model_identifier, self.cache_dir)
        model = AutoModelForSequenceClassification.from_pretrained(str(folder), local_files_only=True)
        self.model = model.to(self.device).eval()

    def process_model_output(self, outputs: Any, model_input_batch: dict[str, Any] | None = None) -> dict[str, Any]:
        logits = outputs.logits.squeeze(-1).float().cpu().numpy()
        clipped = np.clip(logits, 0.0, 5.0)
        return {
            self.float_score_field: clipped.astype(np.float64),
            self.int_score_field: np.array([round(float(s)) for s in clipped], dtype=np.int64),
            self.label_field: np.where(logits >= HIGH_QUALITY_THRESHOLD, "high_quality", "low_quality").astype(object),
        }

    def _empty_output(self) -> dict[str, Any]:
        return {
            self.float_score_field: np.array([], dtype=np.float64),
            self.int_score_field: np.array([], dtype=np.int64),
            self.label_field: np.array([], dtype=object),
        }

    def create_output_dataframe(self, df_cpu: pd.DataFrame, collected_output: dict[str, Any]) -> pd.DataFrame:
        out = df_cpu if self.keep_tokens else df_cpu.drop(columns=[INPUT_ID_FIELD, ATTENTION_MASK_FIELD])
        for column in (self.float_score_field, self.int_score_field, self.label_field):
            out[column] = collected_output[column]
        return out


@dataclass(kw_only=True)
class _FineWebBaseClassifier(StagesComposite, CompositeStage[DocumentBatch, DocumentBatch]):
    """Tokenizer -> ``FineWebModelStage`` -> optional filter on the label; NeMo Curator's arguments."""

    model_identifier: str
    cache_dir: str | None = None
    label_field: str = "preds"
    float_score_field: str = "float_score"
    int_score_field: str = "int_score"
    text_field: str = "text"
    filter_by: list[str] | None = None
    max_chars: int | None = None
    max_seq_length: int = MAX_SEQ_LENGTH
    sort_by_length: bool = True
    model_inference_batch_size: int = 256
    autocast: bool = True
    keep_tokens: bool = False
    use_existing_tokens: bool = False

    def __post_init__(self) -> None:
        self.name = format_name_with_suffix(self.model_identifier)
        self.stages: list[ProcessingStage] = [
            *tokenizer_and_sort(
                self.model_identifier,
                self.cache_dir,
                self.text_field,
                self.max_chars,
                self.max_seq_length,
                "right",
                self.sort_by_length,
                self.use_existing_tokens,
            ),
            FineWebModelStage(
                model_identifier=self.model_identifier,
                cache_dir=self.cache_dir,
                label_field=self.label_field,
                float_score_field=self.float_score_field,
                int_score_field=self.int_score_field,
                model_inference_batch_size=self.model_inference_batch_size,
                has_seq_order=self.sort_by_length,
                autocast=self.autocast,
                keep_tokens=self.keep_tokens,
            ),
            *label_filter(self.filter_by, self.label_field),
        ]


def _init(stage: _FineWebBaseClassifier, model_identifier: str, arguments: dict[str, Any]) -> None:
    kwargs = {k: v for k, v in arguments.items() if k not in ("self", "__class__")}
    _FineWebBaseClassifier.__init__(stage, model_identifier=model_identifier, max_seq_length=MAX_SEQ_LENGTH, **kwargs)


class FineWebEduClassifier(_FineWebBaseClassifier):
    """Hugging Face's https://huggingface.co/HuggingFaceFW/fineweb-edu-classifier (``fineweb-edu-score-*``)."""

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "fineweb-edu-score-label",
        float_score_field: str = "fineweb-edu-score-float",
        int_score_field: str = "fineweb-edu-score-int",
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int | None = None,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        _init(self, FINEWEB_EDU_MODEL_IDENTIFIER, locals())


class FineWebMixtralEduClassifier(_FineWebBaseClassifier):
    """NVIDIA's Mixtral-annotated FineWeb-Edu classifier (``fineweb-mixtral-edu-score-*``)."""

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "fineweb-mixtral-edu-score-label",
        float_score_field: str = "fineweb-mixtral-edu-score-float",
        int_score_field: str = "fineweb-mixtral-edu-score-int",
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int | None = None,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        _init(self, FINEWEB_MIXTRAL_EDU_MODEL_IDENTIFIER, locals())


class FineWebNemotronEduClassifier(_FineWebBaseClassifier):
    """NVIDIA's Nemotron-4-annotated FineWeb-Edu classifier (``fineweb-nemotron-edu-score-*``)."""

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "fineweb-nemotron-edu-score-label",
        float_score_field: str = "fineweb-nemotron-edu-score-float",
        int_score_field: str = "fineweb-nemotron-edu-score-int",
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int | None = None,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        _init(self, FINEWEB_NEMOTRON_EDU_MODEL_IDENTIFIER, locals())
