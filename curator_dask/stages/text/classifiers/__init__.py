"""NeMo Curator's text classifiers on Dask: tokenizer (CPU) -> model (GPU) -> optional label filter.

Names resolve lazily (PEP 562), so importing this package loads neither torch nor transformers.
``DistributedDataClassifier`` lives in ``curator_dask.stages.text.classifiers.base``, as in NeMo Curator.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "AegisClassifier": ".aegis",
    "InstructionDataGuardClassifier": ".aegis",
    "ContentTypeClassifier": ".content_type",
    "DomainClassifier": ".domain",
    "FineWebEduClassifier": ".fineweb_edu",
    "FineWebMixtralEduClassifier": ".fineweb_edu",
    "FineWebNemotronEduClassifier": ".fineweb_edu",
    "MultilingualDomainClassifier": ".domain",
    "PromptTaskComplexityClassifier": ".prompt_task_complexity",
    "QualityClassifier": ".quality",
}

__all__ = [
    "AegisClassifier",
    "ContentTypeClassifier",
    "DomainClassifier",
    "FineWebEduClassifier",
    "FineWebMixtralEduClassifier",
    "FineWebNemotronEduClassifier",
    "InstructionDataGuardClassifier",
    "MultilingualDomainClassifier",
    "PromptTaskComplexityClassifier",
    "QualityClassifier",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], package=__name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
