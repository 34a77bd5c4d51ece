"""``QualityClassifier``: NVIDIA's DeBERTa quality classifier (High / Medium / Low)."""

from __future__ import annotations

from curator_dask.stages.text.classifiers.base import DistributedDataClassifier, init_named

__all__ = ["QUALITY_CLASSIFIER_MODEL_IDENTIFIER", "QualityClassifier"]

QUALITY_CLASSIFIER_MODEL_IDENTIFIER = "nvidia/quality-classifier-deberta"
MAX_SEQ_LENGTH = 1024


class QualityClassifier(DistributedDataClassifier):
    """Rates document quality with https://huggingface.co/nvidia/quality-classifier-deberta.

    Arguments as for ``DistributedDataClassifier``; the label goes to ``quality_pred``, at most
    6000 characters of each text are tokenised, at most 1024 tokens.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "quality_pred",
        score_field: str | None = None,
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int = 6000,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        init_named(self, QUALITY_CLASSIFIER_MODEL_IDENTIFIER, MAX_SEQ_LENGTH, locals())
