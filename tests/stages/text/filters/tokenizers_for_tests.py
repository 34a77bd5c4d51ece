"""Tiny tokenizers trained in the test itself (nothing downloaded): a ``tokenizer.json`` and a
transformers tokenizer folder."""

from __future__ import annotations

from pathlib import Path

TRAINING_TEXT = [
    "def add(a, b):\n    # add two numbers\n    return a + b\n",
    "print('hello world')\nfor item in items:\n    print(item)\n",
    "the quick brown fox jumps over the lazy dog",
] * 4


def train_tokenizer_json(folder: Path, vocab_size: int = 300) -> Path:
    """A byte-level-free BPE tokenizer (whitespace pre-tokenizer) saved as ``folder/tokenizer.json``."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["[UNK]", "[CLS]", "[SEP]"])
    tokenizer.train_from_iterator(TRAINING_TEXT, trainer)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def save_transformers_tokenizer(folder: Path) -> Path:
    """The same tokenizer as a transformers folder (``AutoTokenizer.from_pretrained(folder)`` loads it);
    its ``encode`` adds ``[CLS]`` and ``[SEP]``."""
    from tokenizers import Tokenizer, processors
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer.from_file(str(train_tokenizer_json(folder / "_raw")))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]")
    fast.save_pretrained(str(folder / "model"))
    return folder / "model"
