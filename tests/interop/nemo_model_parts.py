"""Runs NeMo Curator 1.4's own classifier (and embedder) on a parquet file of documents, in a
fresh process whose environment points at a cache of tiny models: ``HF_HOME`` and
``HF_HUB_OFFLINE=1`` must be set before huggingface_hub is imported, because NeMo Curator loads
the DeBERTa backbone with ``AutoModel.from_pretrained(base_model)`` and no cache folder.

NeMo Curator's model stages call ``.cuda()`` / ``.to("cuda")`` unconditionally; on a machine
without a GPU this driver makes ``Module.cuda`` return the module unchanged and
``Module.to("cuda")`` move it to the CPU, which leaves NeMo Curator's code path otherwise as it
is (its autocast on ``"cuda"`` disables itself without CUDA). NeMo Curator 1.4's tokenizer stage
calls ``batch_encode_plus``, which transformers 5 removed; the driver puts it back as what it was
in transformers 4, a call of the tokenizer on a list of texts.

Usage: ``python -m tests.interop.nemo_model_parts <which> <cache dir> <in.parquet> <out.parquet>``.
"""

from __future__ import annotations

import sys

import pandas as pd


def run(which: str, cache: str, source: str, target: str) -> None:
    _cpu_fixes()
    from nemo_curator.stages.text.classifiers import (
        FineWebEduClassifier,
        PromptTaskComplexityClassifier,
        QualityClassifier,
    )
    from nemo_curator.stages.text.embedders import EmbeddingCreatorStage
    from nemo_curator.tasks import DocumentBatch

    composite = {
        "quality": lambda: QualityClassifier(cache_dir=cache, score_field="p", model_inference_batch_size=4),
        "fineweb": lambda: FineWebEduClassifier(cache_dir=cache, model_inference_batch_size=4),
        "embedder": lambda: EmbeddingCreatorStage(cache_dir=cache, model_inference_batch_size=4),
        "prompt": lambda: PromptTaskComplexityClassifier(cache_dir=cache, model_inference_batch_size=4),
    }[which]()
    task = DocumentBatch(dataset_name="docs", data=pd.read_parquet(source))
    for stage in composite.decompose():
        stage.setup_on_node()
        stage.setup()
        task = stage.process(task)
    task.to_pandas().to_parquet(target)


def cpu_quality_classifier(cache: str, batch_size: int) -> list[object]:
    """NeMo Curator's ``QualityClassifier`` stages made to run on CPU workers (for its Ray Data
    executor in ``benchmarks/models.py``): the same classes, with the two fixes above applied in
    each worker process at setup time, the model stage's resources set to CPU, and one actor per
    stage (Ray Data's autoscaling pools would otherwise grow past the cores a benchmark names)."""
    from nemo_curator.stages.resources import Resources
    from nemo_curator.stages.text.classifiers import QualityClassifier

    tokenizer, model = QualityClassifier(cache_dir=cache, model_inference_batch_size=batch_size).decompose()
    return [_patched(tokenizer).with_(num_workers=1), _patched(model).with_(resources=Resources(cpus=1), num_workers=1)]


def _patched(stage: object) -> object:
    """``stage`` whose class first applies the CPU and tokenizer fixes in the process it sets up in."""
    base = type(stage)

    def setup(self: object, worker_metadata: object = None) -> None:
        _cpu_fixes()
        base.setup(self, worker_metadata)  # type: ignore[attr-defined]

    def setup_on_node(self: object, node_info: object = None, worker_metadata: object = None) -> None:
        _cpu_fixes()
        base.setup_on_node(self, node_info, worker_metadata)  # type: ignore[attr-defined]

    cls = type(base.__name__, (base,), {"setup": setup, "setup_on_node": setup_on_node, "__module__": __name__})
    new = cls.__new__(cls)
    new.__dict__.update(stage.__dict__)
    return new


_FIXED: list[bool] = []


def _cpu_fixes() -> None:
    """The two fixes above, once per process."""
    import torch
    from transformers import PreTrainedTokenizerBase

    if _FIXED:
        return
    _FIXED.append(True)
    if not torch.cuda.is_available():
        module_to = torch.nn.Module.to

        def to_cpu(self: torch.nn.Module, *args: object, **kwargs: object) -> torch.nn.Module:
            return module_to(self, *("cpu" if a == "cuda" else a for a in args), **kwargs)  # type: ignore[call-overload]

        torch.nn.Module.cuda = lambda self, *args, **kwargs: self  # type: ignore[method-assign]
        torch.nn.Module.to = to_cpu  # type: ignore[method-assign,assignment]
    if not hasattr(PreTrainedTokenizerBase, "batch_encode_plus"):
        PreTrainedTokenizerBase.batch_encode_plus = lambda self, texts, **kwargs: self(texts, **kwargs)  # type: ignore[attr-defined]


if __name__ == "__main__":
    run(*sys.argv[1:5])
