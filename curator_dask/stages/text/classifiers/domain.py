"""``DomainClassifier`` (English) and ``MultilingualDomainClassifier`` (52 languages): 26 domains."""

from __future__ import annotations

from curator_dask.stages.text.classifiers.base import DistributedDataClassifier, init_named

__all__ = [
    "DOMAIN_MODEL_IDENTIFIER",
    "MULTILINGUAL_DOMAIN_MODEL_IDENTIFIER",
    "DomainClassifier",
    "MultilingualDomainClassifier",
]

DOMAIN_MODEL_IDENTIFIER = "nvidia/domain-classifier"
MULTILINGUAL_DOMAIN_MODEL_IDENTIFIER = "nvidia/multilingual-domain-classifier"
MAX_SEQ_LENGTH = 512


class DomainClassifier(DistributedDataClassifier):
    """Labels English text domains with https://huggingface.co/nvidia/domain-classifier.

    Arguments as for ``DistributedDataClassifier``; the label goes to ``domain_pred``, at most
    2000 characters of each text are tokenised, at most 512 tokens.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "domain_pred",
        score_field: str | None = None,
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int = 2000,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        init_named(self, DOMAIN_MODEL_IDENTIFIER, MAX_SEQ_LENGTH, locals())


class MultilingualDomainClassifier(DistributedDataClassifier):
    """Labels text domains in 52 languages with https://huggingface.co/nvidia/multilingual-domain-classifier.

    As ``DomainClassifier``, with the label in ``multilingual_domain_pred``.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        label_field: str = "multilingual_domain_pred",
        score_field: str | None = None,
        text_field: str = "text",
        filter_by: list[str] | None = None,
        max_chars: int = 2000,
        sort_by_length: bool = True,
        model_inference_batch_size: int = 256,
        autocast: bool = True,
        keep_tokens: bool = False,
        use_existing_tokens: bool = False,
    ) -> None:
        init_named(self, MULTILINGUAL_DOMAIN_MODEL_IDENTIFIER, MAX_SEQ_LENGTH, locals())
