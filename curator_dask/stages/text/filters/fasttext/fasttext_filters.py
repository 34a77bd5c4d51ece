"""NeMo Curator's fastText filters: ``FastTextLangId`` and ``FastTextQualityFilter``.

Both score documents with a supervised fastText model given by path (``.bin`` or ``.ftz``), such
as ``lid.176.bin`` or GlotLID for language identification, or a quality classifier trained on
``__label__hq`` / ``__label__lq`` lines. Use them through ``ScoreFilter``, whose hooks check the
file once per node (``model_check_or_download``, in ``setup_on_node``) and load it once per
worker (``load_model``, in ``setup``); the loaded model never travels with the filter.

The scores are NeMo Curator's, bit for bit: ``FastTextLangId`` gives the string
``"[probability, 'lang']"`` (a string survives every writer), ``FastTextQualityFilter`` the
probability of ``label`` as a float. The batch methods run fastText on the whole column at once.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from curator_dask.errors import ConfigError, StageSetupError
from curator_dask.stages.text.filters.doc_filter import DocumentFilter
from curator_dask.stages.text.filters.fasttext.model_file import (
    check_model_file,
    load_supervised_model,
    where_to_put_it,
)
from curator_dask.stages.text.filters.langid import LangIdFilter
from curator_dask.stages.text.utils.text_column import text_column

__all__ = ["FastTextLangId", "FastTextQualityFilter"]

_PREFIX = "__label__"
_SHOWN = 30  # language codes listed in an error


def _require_path(owner: str, model_path: str | os.PathLike[str] | None, purpose: str) -> str:
    if model_path is None:
        msg = f"{owner}: model_path is required: the path of a fastText model to {purpose}. {where_to_put_it()}."
        raise ConfigError(msg)
    return os.fspath(model_path)


def _not_loaded(owner: str) -> StageSetupError:
    return StageSetupError(
        f"{owner}: the fastText model is not loaded. Wrap the filter in ScoreFilter (its setup() calls "
        "load_model() once per worker) or call load_model() before scoring."
    )


def _predict(model: Any, texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Top label and its probability (as fastText's float32, widened) for each text."""
    if not texts:
        return [], np.empty(0, dtype=np.float64)
    labels, probabilities = model.predict(texts, k=1)
    return [row[0] for row in labels], np.array([row[0] for row in probabilities], dtype=np.float64)


class FastTextLangId(LangIdFilter):
    """Identifies each document's language with a fastText model; keeps confident matches.

    NeMo Curator's ``FastTextLangId``: the score is ``"[probability, 'lang']"`` with the model's
    label minus ``__label__`` (``"en"``, ``"eng_Latn"``); the decisions are ``LangIdFilter``'s.

    Args:
        model_path: a supervised fastText language-id model (``lid.176.bin``, GlotLID's ``model.bin``).
        min_langid_score: documents whose top probability is below this are dropped.
        lang: a language code to keep, or a list of them; ``None`` keeps any language. Matching is
            case-insensitive; ``"eng"`` matches every script of it, ``"eng_Latn"`` only that one.
            A code the model never predicts is refused when the model is loaded.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        min_langid_score: float = 0.3,
        lang: str | list[str] | None = None,
    ) -> None:
        path = _require_path("FastTextLangId", model_path, "identify languages")
        super().__init__(model_path=path, min_langid_score=min_langid_score, lang=lang)
        self._model_path = path  # type: ignore[assignment]  # kept as given, as NeMo Curator does
        self._fasttext_langid_model: Any = None
        self._name = "lang_id"

    def model_check_or_download(self) -> None:
        """Check the model file is on this node and is a fastText model (run once per node)."""
        check_model_file("FastTextLangId", str(self._model_path))

    def load_model(self) -> None:
        """Load the model (once per worker) and check that it knows the wanted languages."""
        model = load_supervised_model("FastTextLangId", str(self._model_path))
        known = sorted({label.removeprefix(_PREFIX).casefold() for label in model.get_labels()})
        try:
            self._check_codes(set(known))
        except ValueError as e:
            # LangIdFilter lists every code it knows; a fastText model may know thousands (GlotLID).
            problem = str(e).split(": ", 1)[-1].split("; it knows", 1)[0]
            shown = ", ".join(known[:_SHOWN]) + (f", ... ({len(known)} in all)" if len(known) > _SHOWN else "")
            msg = (
                f"FastTextLangId: model {str(self._model_path)!r}: {problem}; it knows {shown}. "
                "Pass lang= some of those codes (a language alone matches all its scripts), or None."
            )
            raise ConfigError(msg) from e
        self._fasttext_langid_model = model

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "_fasttext_langid_model": None}

    def _model(self) -> Any:
        if self._fasttext_langid_model is None:
            raise _not_loaded("FastTextLangId")
        return self._fasttext_langid_model

    def score_document(self, text: str) -> str:
        labels, probabilities = self._model().predict([text.strip().replace("\n", " ")], k=1)
        return str([probabilities[0][0].item(), labels[0][0].removeprefix(_PREFIX)])

    def score_batch(self, texts: pd.Series) -> pd.Series:
        cleaned = [t.strip().replace("\n", " ") for t in text_column(texts).texts()]
        labels, probabilities = _predict(self._model(), cleaned)
        pairs = zip(probabilities.tolist(), labels, strict=True)
        scores = [str([p, label.removeprefix(_PREFIX)]) for p, label in pairs]
        return pd.Series(scores, index=texts.index, dtype=object)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fixed bijection of uint64 under which nearby inputs land far apart."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform_draws(scores: np.ndarray, seed: int) -> np.ndarray:
    """One uniform draw in (0, 1) per score: a pure function of ``(seed, score)``."""
    key = _mix64(np.array([seed % 2**64], dtype=np.uint64))
    x = _mix64(np.ascontiguousarray(scores, dtype=np.float64).view(np.uint64) ^ key)
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


class FastTextQualityFilter(DocumentFilter):
    """Scores documents with a fastText quality classifier and keeps them at random, by score.

    NeMo Curator's ``FastTextQualityFilter``: the score is the model's probability that the
    document has ``label`` (one minus the top probability when another label wins), and a document
    is kept when a Pareto(``alpha``) draw exceeds ``1 - score``, so high scores are nearly always
    kept and low ones sometimes. Unlike NeMo Curator, which draws from NumPy's global generator
    (seeded in ``__init__``, so results depend on batch order and on which worker runs a batch), each
    draw here is a function of ``seed`` and the score: a run, a rerun and a resumed run keep the
    same documents, and the global generator is left alone. Documents with equal scores share a draw.

    Args:
        model_path: a supervised fastText model whose labels include ``label``.
        label: the label of high-quality documents, with its ``__label__`` prefix.
        alpha: the Pareto shape; a larger alpha keeps fewer low-scoring documents.
        seed: seeds the draws.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        label: str = "__label__hq",
        alpha: float = 3,
        seed: int = 42,
    ) -> None:
        super().__init__()
        self._model_path = _require_path("FastTextQualityFilter", model_path, "compute document scores")
        if not alpha > 0:
            raise ConfigError(f"FastTextQualityFilter: alpha must be a positive number (a Pareto shape), got {alpha!r}")
        self._label = label
        self._alpha = float(alpha)
        self._seed = int(seed)
        self._fasttext_quality_filter_model: Any = None
        self._name = "fasttext_quality_filter"

    def model_check_or_download(self) -> None:
        """Check the model file is on this node and is a fastText model (run once per node)."""
        check_model_file("FastTextQualityFilter", self._model_path)

    def load_model(self) -> None:
        """Load the model (once per worker) and check that ``label`` is one of its labels."""
        model = load_supervised_model("FastTextQualityFilter", self._model_path)
        labels = list(model.get_labels())
        if self._label not in labels:
            msg = (
                f"FastTextQualityFilter: model {self._model_path!r} has no label {self._label!r}; its labels are "
                f"{labels}. Pass label= the one that marks high-quality documents."
            )
            raise ConfigError(msg)
        self._fasttext_quality_filter_model = model

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fasttext_quality_filter_model": None}

    def _model(self) -> Any:
        if self._fasttext_quality_filter_model is None:
            raise _not_loaded("FastTextQualityFilter")
        return self._fasttext_quality_filter_model

    @staticmethod
    def _clean(text: str) -> str:
        return text.replace("\n", " ").replace(_PREFIX, " ")

    def score_document(self, text: str) -> float:
        labels, probabilities = self._model().predict([self._clean(text)])
        probability = probabilities[0][0].item()
        return probability if labels[0][0] == self._label else 1 - probability

    def score_batch(self, texts: pd.Series) -> pd.Series:
        labels, probabilities = _predict(self._model(), [self._clean(t) for t in text_column(texts).texts()])
        wanted = np.array([label == self._label for label in labels], dtype=bool)
        return pd.Series(np.where(wanted, probabilities, 1 - probabilities), index=texts.index, dtype=np.float64)

    def _keep(self, scores: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # a tiny draw under a small alpha is an infinite Pareto value: keep
            pareto = uniform_draws(scores, self._seed) ** (-1.0 / self._alpha) - 1.0
        return pareto > 1.0 - scores

    def keep_document(self, score: float) -> bool:
        return bool(self._keep(np.array([score], dtype=np.float64))[0])

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        return pd.Series(self._keep(scores.to_numpy(dtype=np.float64)), index=scores.index, dtype=bool)
