"""``TokenCountFilter``: keeps documents with ``min_tokens`` to ``max_tokens`` tokens (NeMo Curator's)."""

from __future__ import annotations

import math
import os
from typing import Any

import pandas as pd

from curator_dask.errors import ConfigError
from curator_dask.stages.text.filters.doc_filter import PerDocumentFilter
from curator_dask.stages.text.utils.text_column import text_column

__all__ = ["TokenCountFilter"]


class TokenCountFilter(PerDocumentFilter):
    """Counts tokens with a tokenizer object or a Hugging Face tokenizer loaded on each worker.

    Args:
        tokenizer: a loaded tokenizer (anything with ``encode(text)`` returning a sequence).
        hf_model_name: a Hugging Face model id or a local folder with its tokenizer; loaded with
            ``AutoTokenizer.from_pretrained(..., local_files_only=True)`` by the stage's ``setup``
            after ``setup_on_node`` has downloaded it (a local folder is used as it is).
        hf_token: the Hugging Face token for gated models.
        min_tokens: the least tokens kept (0: no lower bound).
        max_tokens: the most tokens kept (infinity: no upper bound).
        transformers_init_kwargs: more keyword arguments for ``from_pretrained`` (not
            ``local_files_only``).

    Give exactly one of ``tokenizer`` and ``hf_model_name``. Counts include special tokens, as
    ``tokenizer.encode`` does.
    """

    def __init__(
        self,
        tokenizer: Any = None,
        hf_model_name: str | None = None,
        hf_token: str | None = None,
        min_tokens: int = 0,
        max_tokens: float = math.inf,
        transformers_init_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if tokenizer is None and hf_model_name is None:
            msg = "Either tokenizer or hf_model_name must be provided: pass hf_model_name='<id or folder>'"
            raise ConfigError(msg)
        if tokenizer is not None and hf_model_name is not None:
            msg = "Either tokenizer or hf_model_name must be provided, not both: drop one of the two arguments"
            raise ConfigError(msg)
        kwargs = dict(transformers_init_kwargs or {})
        if "local_files_only" in kwargs:
            msg = (
                "Passing the local_files_only parameter is not allowed: TokenCountFilter loads with "
                "local_files_only=True after setup_on_node has fetched the model; remove it from "
                "transformers_init_kwargs"
            )
            raise ConfigError(msg)
        self._token_count_filter_tokenizer = tokenizer
        self._hf_model_name = hf_model_name
        self._hf_token = hf_token
        self._min_tokens = min_tokens
        self._max_tokens = max_tokens
        self._transformers_init_kwargs = kwargs
        self._name = "token_count"

    def model_check_or_download(self) -> None:
        """Fetches the tokenizer files into the node's Hugging Face cache (a local folder needs nothing)."""
        if self._hf_model_name is None or os.path.isdir(self._hf_model_name):
            return
        import huggingface_hub

        huggingface_hub.snapshot_download(repo_id=self._hf_model_name, token=self._hf_token)

    def load_tokenizer(self) -> None:
        """Loads the Hugging Face tokenizer (the stage's ``setup`` calls this on every worker)."""
        if self._hf_model_name is None or self._token_count_filter_tokenizer is not None:
            return
        from transformers import AutoTokenizer

        self._token_count_filter_tokenizer = AutoTokenizer.from_pretrained(
            self._hf_model_name, local_files_only=True, **self._transformers_init_kwargs
        )

    def score_document(self, text: str) -> int:
        self.load_tokenizer()
        return len(self._token_count_filter_tokenizer.encode(text))

    def score_batch(self, texts: pd.Series) -> pd.Series:
        self.load_tokenizer()
        tokenizer = self._token_count_filter_tokenizer
        if not _is_hf_tokenizer(tokenizer):
            return super().score_batch(texts)
        # One call for the batch: a fast tokenizer encodes it in parallel, with the same ids as encode().
        ids = tokenizer(text_column(texts).texts(), add_special_tokens=True)["input_ids"] if len(texts) else []
        return pd.Series([len(i) for i in ids], index=texts.index, dtype="int64")

    def keep_document(self, score: int) -> bool:
        return self._min_tokens <= score <= self._max_tokens

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        values = scores.to_numpy()
        return pd.Series((values >= self._min_tokens) & (values <= self._max_tokens), index=scores.index, dtype=bool)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self._hf_model_name is not None:
            state["_token_count_filter_tokenizer"] = None  # each worker loads its own in setup
        return state


def _is_hf_tokenizer(tokenizer: Any) -> bool:
    """A transformers tokenizer (callable on a list of texts); others are asked document by document."""
    return type(tokenizer).__module__.startswith("transformers.") and callable(tokenizer)
