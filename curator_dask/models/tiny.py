"""Tiny random-weight stand-ins for the models NeMo Curator's stages use, saved under their repo ids.

For tests, benchmarks and offline demos: nothing is downloaded. A WordPiece tokenizer is trained on
the spot on generated prose (``curator_dask.examples.corpus``), backbones are a few layers of
hidden size 32, and each model is written into a Hugging Face cache under the repo id NeMo Curator
loads (``save_to_hub_cache``), in the layout both this package and NeMo Curator read: a DeBERTa
classifier is ``config.json`` (head settings, ``base_model``) plus the whole module's weights, and
its ``base_model`` repo holds a tiny backbone. Needs torch, transformers, tokenizers and (for the
embedder) sentence-transformers.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from curator_dask.models.weights import save_to_hub_cache

__all__ = [
    "BASE_DEBERTA",
    "CLASSIFIER_LABELS",
    "PROMPT_COMPLEXITY",
    "SENTENCE_TRANSFORMER",
    "build_deberta_classifier",
    "build_fineweb_classifier",
    "build_prompt_complexity_classifier",
    "build_sentence_transformer",
    "populate_cache",
    "train_tokenizer",
]

BASE_DEBERTA = "microsoft/deberta-v3-base"
SENTENCE_TRANSFORMER = "sentence-transformers/all-MiniLM-L6-v2"
PROMPT_COMPLEXITY = "nvidia/prompt-task-and-complexity-classifier"
CLASSIFIER_LABELS: dict[str, list[str]] = {
    "nvidia/quality-classifier-deberta": ["High", "Medium", "Low"],
    "nvidia/domain-classifier": [
        "Computers_and_Electronics",
        "Finance",
        "Health",
        "Science",
        "Travel_and_Transportation",
    ],
    "nvidia/content-type-classifier-deberta": ["Analytical", "Conversational", "News", "Promotional"],
}
_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_SIZE: dict[str, Any] = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}


def train_tokenizer(texts: Sequence[str], vocab_size: int = 500, model_max_length: int = 512) -> Any:
    """A BERT-style WordPiece ``PreTrainedTokenizerFast`` trained on ``texts``."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=_SPECIAL))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
    )


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """One tokenizer per process, trained on generated prose, shared by every tiny model."""
    from curator_dask.examples.corpus import documents

    return train_tokenizer(documents(300, seed=7, size=300)["text"].tolist())


def _deberta_config(vocab_size: int) -> Any:
    from transformers import DebertaV2Config

    return DebertaV2Config(
        vocab_size=vocab_size,
        max_position_embeddings=512,
        relative_attention=True,
        pos_att_type=["p2c", "c2p"],
        position_biased_input=False,
        pad_token_id=0,
        **{"position_buckets": 32, **_SIZE},
    )


def _bert_config(vocab_size: int, **extra: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, max_position_embeddings=512, pad_token_id=0, **_SIZE, **extra)


def _sample_inputs(tokenizer: Any) -> dict[str, Any]:
    from curator_dask.examples.corpus import documents

    texts = documents(64, seed=11, size=400)["text"].tolist()
    return dict(tokenizer(texts, truncation=True, max_length=128, padding=True, return_tensors="pt"))


def _centre(linear: Any, logits: Any, target: float = 0.0) -> None:
    """Shift ``linear``'s bias so the sample's mean logit is ``target``: random backbones barely
    separate documents, and a centred, widened head makes every label and score range show up."""
    import torch

    with torch.no_grad():
        linear.bias.sub_(logits.mean(dim=0) - target)


def _save_state(module: Any, folder: Path) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, str(folder / "model.safetensors"))


def build_deberta_classifier(
    cache_dir: str | os.PathLike[str], repo_id: str, labels: Sequence[str], seed: int = 0
) -> Path:
    """A tiny DeBERTa-v2 classifier with a linear head under ``repo_id`` (and its backbone under
    ``microsoft/deberta-v3-base``) in ``cache_dir``; returns the classifier's snapshot folder."""
    import torch
    from transformers import AutoModel

    tokenizer = _tokenizer()
    torch.manual_seed(seed)
    with tempfile.TemporaryDirectory() as tmp:
        base, head = Path(tmp, "base"), Path(tmp, "head")
        backbone = AutoModel.from_config(_deberta_config(len(tokenizer)))
        backbone.save_pretrained(str(base))
        save_to_hub_cache(base, BASE_DEBERTA, cache_dir)
        fc = torch.nn.Linear(_SIZE["hidden_size"], len(labels))
        with torch.no_grad():
            fc.weight.mul_(100.0)
            sample = _sample_inputs(tokenizer)
            first = backbone.eval()(sample["input_ids"], sample["attention_mask"]).last_hidden_state[:, 0]
            _centre(fc, fc(first))
        head.mkdir()
        config = {
            "model_type": "deberta-v2",
            "base_model": BASE_DEBERTA,
            "fc_dropout": 0.2,
            "id2label": {str(i): label for i, label in enumerate(labels)},
            "label2id": {label: i for i, label in enumerate(labels)},
        }
        (head / "config.json").write_text(json.dumps(config, indent=2))
        module = torch.nn.Module()
        module.model, module.fc = backbone, fc
        _save_state(module, head)
        tokenizer.save_pretrained(str(head))
        return save_to_hub_cache(head, repo_id, cache_dir)


def build_prompt_complexity_classifier(
    cache_dir: str | os.PathLike[str], repo_id: str = PROMPT_COMPLEXITY, seed: int = 0
) -> Path:
    """A tiny ``CustomDeberta`` (mean pooling, one head per target) under ``repo_id``."""
    import torch
    from transformers import AutoModel

    from curator_dask.stages.text.classifiers.prompt_task_complexity import TARGETS

    tokenizer = _tokenizer()
    torch.manual_seed(seed)
    sizes = {"task_type": 11, **dict.fromkeys(TARGETS, 3)}
    with tempfile.TemporaryDirectory() as tmp:
        base, head = Path(tmp, "base"), Path(tmp, "head")
        backbone = AutoModel.from_config(_deberta_config(len(tokenizer)))
        backbone.save_pretrained(str(base))
        save_to_hub_cache(base, BASE_DEBERTA, cache_dir)
        module = torch.nn.Module()
        module.backbone = backbone
        for i, size in enumerate(sizes.values()):
            layer = torch.nn.Module()
            layer.fc = torch.nn.Linear(_SIZE["hidden_size"], size)
            with torch.no_grad():
                layer.fc.weight.mul_(100.0)
            module.add_module(f"head_{i}", layer)
        head.mkdir()
        config = {
            "base_model": BASE_DEBERTA,
            "target_sizes": sizes,
            "task_type_map": {str(i): f"task_{i}" for i in range(11)},
            "weights_map": {t: [0.0, 0.5, 1.0] for t in TARGETS},
            "divisor_map": dict.fromkeys(TARGETS, 1.0),
        }
        (head / "config.json").write_text(json.dumps(config, indent=2))
        _save_state(module, head)
        tokenizer.save_pretrained(str(head))
        return save_to_hub_cache(head, repo_id, cache_dir)


def build_fineweb_classifier(cache_dir: str | os.PathLike[str], repo_id: str, seed: int = 0) -> Path:
    """A tiny BERT regressor (``num_labels=1``) under ``repo_id`` in ``cache_dir``."""
    import torch
    from transformers import AutoModelForSequenceClassification

    tokenizer = _tokenizer()
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_config(
        _bert_config(len(tokenizer), num_labels=1, problem_type="regression")
    )
    with torch.no_grad():
        model.classifier.weight.mul_(60000.0)
        sample = _sample_inputs(tokenizer)
        _centre(model.classifier, model.eval()(**sample).logits, target=2.5)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        return save_to_hub_cache(tmp, repo_id, cache_dir)


def build_sentence_transformer(
    cache_dir: str | os.PathLike[str], repo_id: str = SENTENCE_TRANSFORMER, seed: int = 0
) -> Path:
    """A tiny BERT sentence-transformers model (mean pooling, normalised) under ``repo_id``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import AutoModel

    tokenizer = _tokenizer()
    torch.manual_seed(seed)
    with tempfile.TemporaryDirectory() as tmp:
        bert = Path(tmp, "bert")
        AutoModel.from_config(_bert_config(len(tokenizer))).save_pretrained(str(bert))
        tokenizer.save_pretrained(str(bert))
        transformer = Transformer(str(bert), max_seq_length=256)
        pooling = Pooling(_SIZE["hidden_size"], pooling_mode="mean")
        SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(Path(tmp, "st")))
        return save_to_hub_cache(Path(tmp, "st"), repo_id, cache_dir)


def populate_cache(cache_dir: str | os.PathLike[str], repo_ids: Sequence[str] | None = None) -> dict[str, Path]:
    """Build the tiny models for ``repo_ids`` (default: every DeBERTa classifier, FineWeb-Edu and
    the default embedder) into ``cache_dir``; returns ``{repo id: snapshot folder}``."""
    from curator_dask.stages.text.classifiers.fineweb_edu import FINEWEB_EDU_MODEL_IDENTIFIER

    wanted = (
        list(repo_ids)
        if repo_ids is not None
        else [*CLASSIFIER_LABELS, FINEWEB_EDU_MODEL_IDENTIFIER, SENTENCE_TRANSFORMER]
    )
    built: dict[str, Path] = {}
    for seed, repo_id in enumerate(wanted):
        if repo_id in CLASSIFIER_LABELS:
            built[repo_id] = build_deberta_classifier(cache_dir, repo_id, CLASSIFIER_LABELS[repo_id], seed)
        elif "fineweb" in repo_id:
            built[repo_id] = build_fineweb_classifier(cache_dir, repo_id, seed)
        elif repo_id == PROMPT_COMPLEXITY:
            built[repo_id] = build_prompt_complexity_classifier(cache_dir, repo_id, seed)
        elif repo_id == SENTENCE_TRANSFORMER:
            built[repo_id] = build_sentence_transformer(cache_dir, repo_id, seed)
        else:
            known = sorted([*CLASSIFIER_LABELS, SENTENCE_TRANSFORMER, PROMPT_COMPLEXITY])
            msg = f"populate_cache: no tiny model for {repo_id!r}; known: {known} and the FineWeb-Edu family"
            raise ValueError(msg)
    return built
