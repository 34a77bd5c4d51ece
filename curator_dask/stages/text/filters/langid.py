"""``LangIdFilter``: language identification with py3langid, whose model ships inside its wheel."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any

import pandas as pd

from curator_dask.stages.text.filters._langid_fast import fast_identifier
from curator_dask.stages.text.filters.doc_filter import DocumentFilter

__all__ = ["LangIdFilter"]

_INSTALL_HINT = "pip install py3langid"
# NeMo Curator's score format, "[score, 'lang']": a string, so it survives Parquet and JSONL writers.
_SCORE_PATTERN = r"^\[([^,\]]+), '([^']*)'\]$"


def _packaged_model_path() -> Path:
    try:
        from py3langid import langid
    except ImportError as e:
        msg = f"LangIdFilter needs the py3langid package, which ships the language model: {_INSTALL_HINT}"
        raise ImportError(msg) from e
    return Path(langid.__file__).parent / langid.MODEL_FILE


class LangIdFilter(DocumentFilter):
    """Identifies each document's language and keeps confident matches of the wanted language(s).

    A drop-in for NeMo Curator's ``FastTextLangId`` backed by py3langid, whose model is inside the
    PyPI package (nothing is downloaded). Use it through ``ScoreFilter``::

        ScoreFilter(LangIdFilter(lang="en", min_langid_score=0.5), text_field="text", score_field="language")

    It is also the reference example of the model hooks, for users bringing their own model:

    * ``__init__`` stores configuration only, so the filter is cheap to pickle to every worker.
    * ``model_check_or_download()`` runs once per node (``ScoreFilter.setup_on_node``), on a copy
      of the stage: it may put files on the node (download, unpack, verify) but must not keep
      state on ``self``. Here it checks the model file is present and readable.
    * ``load_model()`` runs once per worker (``ScoreFilter.setup``) and keeps the loaded model on
      ``self``; the scoring methods then use it for every batch of that worker.
    * The loaded model is dropped when the filter is pickled or copied, so a set-up filter never
      ships its model around; a copy calls ``load_model()`` again.

    Args:
        model_path: a py3langid model file (``.npz.xz``); ``None`` uses the packaged model.
        min_langid_score: documents whose language probability is below this are dropped.
        lang: a language code to keep (``"en"``) or a list of them; ``None`` keeps any language.
            Matching is case-insensitive; a code with a script part (``"sr_Latn"``) must match
            exactly, a code without one matches every script of that language.

    ``score_document`` returns NeMo Curator's string ``"[score, 'lang']"``; ``keep_document`` also
    takes a ``[score, lang]`` list or tuple.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        min_langid_score: float = 0.3,
        lang: str | list[str] | None = None,
    ) -> None:
        super().__init__()
        self._model_path = Path(model_path) if model_path is not None else None
        self._cutoff = float(min_langid_score)
        codes = [lang] if isinstance(lang, str) else list(lang or [])
        self._lang_codes = [c.casefold() for c in codes if c]
        self._identifier: Any = None
        self._name = "lang_id"

    # -- hooks ------------------------------------------------------------------------------
    def model_check_or_download(self) -> None:
        """Check the model file is present and readable; raise an error that names the fix."""
        path = self._model_path or _packaged_model_path()
        fix = "pass model_path= pointing to a py3langid .npz.xz model" if self._model_path else _INSTALL_HINT
        if not path.is_file():
            msg = f"LangIdFilter: model file {str(path)!r} not found; {fix}"
            raise FileNotFoundError(msg)
        try:
            with path.open("rb") as f:
                f.read(1)
        except OSError as e:
            msg = f"LangIdFilter: model file {str(path)!r} cannot be read ({e}); {fix}"
            raise PermissionError(msg) from e

    def load_model(self) -> None:
        """Load the identifier (once per worker), with probabilities normalised to [0, 1]."""
        self.model_check_or_download()
        from py3langid.langid import LanguageIdentifier

        path = str(self._model_path or _packaged_model_path())
        if hasattr(LanguageIdentifier, "from_model_file"):  # py3langid >= 0.4
            # Its classifier with the feature walk compiled, when that gives its exact scores.
            identifier = fast_identifier(path, norm_probs=True)
        else:  # py3langid 0.3 pickles its model
            identifier = LanguageIdentifier.from_pickled_model(path, norm_probs=True)
        self._check_codes({str(c).casefold() for c in identifier.nb_classes})
        self._identifier = identifier

    def _check_codes(self, labels: set[str]) -> None:
        # A code the model never outputs would silently drop every document.
        bases = {label.split("_", maxsplit=1)[0] for label in labels}
        unknown = [c for c in self._lang_codes if c not in labels and ("_" in c or c not in bases)]
        if unknown:
            msg = f"LangIdFilter: the model has no language {unknown}; it knows {sorted(labels)}"
            raise ValueError(msg)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_identifier": None}

    # -- scoring ----------------------------------------------------------------------------
    def _classify(self) -> Any:
        if self._identifier is None:
            msg = (
                "LangIdFilter: the model is not loaded. Wrap the filter in ScoreFilter (its setup() "
                "calls load_model() once per worker) or call load_model() before scoring."
            )
            raise RuntimeError(msg)
        return self._identifier.classify

    def score_document(self, text: str) -> str:
        lang, score = self._classify()(text.strip().replace("\n", " "))
        return str([float(score), lang])

    def score_batch(self, texts: pd.Series) -> pd.Series:
        classify = self._classify()
        cleaned = texts.astype(object).str.strip().str.replace("\n", " ", regex=False)
        # Web text repeats itself (boilerplate, short titles): classify each distinct text once.
        distinct = pd.unique(cleaned).tolist()
        many = getattr(self._identifier, "classify_many", None)  # the compiled walk, all texts in one call
        results = many(distinct) if many is not None else [classify(t) for t in distinct]
        scores = {text: str([float(score), lang]) for text, (lang, score) in zip(distinct, results, strict=True)}
        return pd.Series([scores[t] for t in cleaned], index=texts.index, dtype=object)

    # -- decisions --------------------------------------------------------------------------
    def _lang_matches(self, lang: str) -> bool:
        lang = lang.casefold()
        base = lang.split("_", maxsplit=1)[0]
        return any(lang == code if "_" in code else base == code for code in self._lang_codes)

    def keep_document(self, score: str | list[Any] | tuple[Any, ...]) -> bool:
        if isinstance(score, str):
            score = ast.literal_eval(score)
        if not isinstance(score, list | tuple) or len(score) != 2:
            msg = f"LangIdFilter: a score is \"[probability, 'lang']\" or a 2-item list, got {score!r}"
            raise TypeError(msg)
        probability, lang = float(score[0]), str(score[1])
        return probability >= self._cutoff and (not self._lang_codes or self._lang_matches(lang))

    def keep_batch(self, scores: pd.Series) -> pd.Series:
        parts = scores.astype(object).str.extract(_SCORE_PATTERN)
        if parts.isna().any(axis=None):  # lists, tuples or odd strings: take the general path
            return super().keep_batch(scores)
        keep = parts[0].astype(float) >= self._cutoff
        if self._lang_codes:
            langs = parts[1]
            keep &= langs.isin({lang for lang in pd.unique(langs) if self._lang_matches(lang)})
        return keep.astype(bool)
