"""A tiny Hugging Face tokenizer trained on the spot (nothing downloaded), for the Megatron writer tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TEXTS = ["the quick brown fox", "jumps over the lazy dog", "a", "pack my box with five dozen liquor jugs"]


def tiny_tokenizer(folder: Path, vocab_size: int = 200) -> str:
    """Train a byte-level BPE tokenizer on ``TEXTS`` and save it as a Hugging Face tokenizer folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "</s>"])
    tokenizer.train_from_iterator(TEXTS * 5, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", eos_token="</s>")
    fast.save_pretrained(folder)
    return str(folder)


def documents() -> pd.DataFrame:
    return pd.DataFrame({"text": TEXTS, "id": range(len(TEXTS))})
