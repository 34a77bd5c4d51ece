"""``ContentTypeClassifier``: NVIDIA's DeBERTa classifier of 11 speech / content types."""

from __future__ import annotations

from curator_dask.stages.text.classifiers.base import DistributedDataClassifier, init_named

__all__ = ["CONTENT_TYPE_MODEL_IDENTIFIER", "ContentTypeClassifier"]

CONTENT_TYPE_MODEL_IDENTIFIER = "nvidia/content-type-classifier-deberta"
MAX_SEQ_LENGTH = 1024


class ContentTypeClassifier(DistributedDataClassifier):
    """Labels content types with https://huggingface.co/nvidia/content-type-classifier-deberta.

    Arguments as for ``DistributedDataClassifier``; the label goes to ``content_pred``, at most
    6000 characters of each text are tokenised, at most 1024 tokens.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "content_pred",
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
        init_named(self, CONTENT_TYPE_MODEL_IDENTIFIER, MAX_SEQ_LENGTH, locals())
