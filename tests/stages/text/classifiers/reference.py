"""Plain in-process ``transformers`` forward passes on the tiny models' files: one document at a
time, unpadded, none of curator_dask's batching, sorting or padding. What the stages must equal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from curator_dask.models import local_snapshot


def deberta_probs(repo_id: str, cache: str, texts: pd.Series, max_chars: int, max_len: int) -> np.ndarray:
    """Class probabilities of a DeBERTa classifier (``model.*`` backbone + ``fc`` head) per text."""
    folder = local_snapshot(repo_id, cache)
    base = local_snapshot("microsoft/deberta-v3-base", cache)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    state = load_file(str(Path(folder) / "model.safetensors"))
    backbone = AutoModel.from_config(AutoConfig.from_pretrained(str(base))).eval()
    backbone.load_state_dict({k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")})
    rows = []
    with torch.no_grad():
        for text in texts:
            enc = tokenizer(text[:max_chars], truncation=True, max_length=max_len, return_tensors="pt")
            first = backbone(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state[:, 0]
            rows.append(torch.softmax(first @ state["fc.weight"].T + state["fc.bias"], dim=1)[0].numpy())
    return np.stack(rows)


def regression_scores(repo_id: str, cache: str, texts: pd.Series, max_len: int) -> np.ndarray:
    """The one logit of a sequence-classification regressor per text."""
    folder = str(local_snapshot(repo_id, cache))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    with torch.no_grad():
        return np.array(
            [
                model(**tokenizer(t, truncation=True, max_length=max_len, return_tensors="pt")).logits[0, 0].item()
                for t in texts
            ]
        )
