"""NeMo Curator's code filters (``nemo_curator.stages.text.filters.heuristic.code``), from StarCoder.

Names, arguments, scores and decisions are NeMo Curator's. Unlike NeMo Curator they need no extra
packages: comments come from ``_source_text`` (not ``comment_parser``), HTML text from the standard
library's parser (not BeautifulSoup), and ``TokenizerFertilityFilter`` also takes a Hugging Face
``tokenizer.json`` (``sentencepiece`` is needed only for a SentencePiece model). The per-extension
thresholds are ``PerExtensionFilter``'s CSV file, in ``_per_extension``.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import warnings
from dataclasses import dataclass
from typing import Any

from curator_dask.errors import ConfigError
from curator_dask.stages.text.filters.doc_filter import PerDocumentFilter
from curator_dask.stages.text.utils.constants import regex_alphanum
from curator_dask.stages.text.utils.source_text import (
    UnterminatedCommentError,
    check_mime,
    comment_texts,
    html_visible_text,
)
from curator_dask.stages.text.utils.text_utils import count_alphabetic, get_comments_and_docstring

__all__ = [
    "AlphaFilter",
    "GeneralCommentToCodeFilter",
    "HTMLBoilerplateFilter",
    "NumberOfLinesOfCodeFilter",
    "PerExtensionFilter",
    "PythonCommentToCodeFilter",
    "TokenizerFertilityFilter",
    "XMLHeaderFilter",
]

logger = logging.getLogger(__name__)


class _RatioRange(PerDocumentFilter):
    _min_threshold: float
    _max_threshold: float

    def keep_document(self, score: float) -> bool:
        return self._min_threshold <= score <= self._max_threshold


class PythonCommentToCodeFilter(_RatioRange):
    """Keeps Python files whose comments and docstrings are a sane share of their characters.

    Code that does not parse scores 0 (dropped by the default bounds), with a warning.
    """

    def __init__(self, min_comment_to_code_ratio: float = 0.01, max_comment_to_code_ratio: float = 0.85) -> None:
        super().__init__()
        self._min_threshold = min_comment_to_code_ratio
        self._max_threshold = max_comment_to_code_ratio
        self._name = "python_comment_ratio"

    def score_document(self, source: str) -> float:
        docstrings, comments = get_comments_and_docstring(source)
        if docstrings is None or comments is None or not source:
            return 0
        return (len(comments) + len(docstrings)) / len(source)


class GeneralCommentToCodeFilter(_RatioRange):
    """Keeps files whose comment text (markers excluded) is a sane share of their characters.

    Args:
        language: the MIME type of the files, e.g. ``"text/x-c++"``, ``"text/x-java"``,
            ``"application/javascript"``, ``"text/x-shellscript"``, ``"text/html"``.
        min_comment_to_code_ratio: the least share kept.
        max_comment_to_code_ratio: the largest share kept.

    A block comment left open scores 9999 (dropped), with a warning, as in NeMo Curator.
    """

    def __init__(
        self, language: str, min_comment_to_code_ratio: float = 0.01, max_comment_to_code_ratio: float = 0.85
    ) -> None:
        super().__init__()
        self._scanner = check_mime(language)  # an unknown type fails here, not on every document
        self._lang = language
        self._min_threshold = min_comment_to_code_ratio
        self._max_threshold = max_comment_to_code_ratio
        self._name = "comment_ratio"

    def score_document(self, source: str) -> float:
        try:
            comments = " ".join(comment_texts(source, self._scanner))
        except UnterminatedCommentError:
            warnings.warn("tokenization error, no comment is extracted", stacklevel=2)
            return 9999
        return len(comments) / len(source) if source else 0


class NumberOfLinesOfCodeFilter(PerDocumentFilter):
    """Keeps files with ``min_lines`` to ``max_lines`` lines (newlines + 1)."""

    def __init__(self, min_lines: int = 10, max_lines: int = 20000) -> None:
        super().__init__()
        self._min_lines = min_lines
        self._max_lines = max_lines
        self._name = "num_lines"

    def score_document(self, source: str) -> int:
        return source.count("\n") + 1

    def keep_document(self, score: int) -> bool:
        return self._min_lines <= score <= self._max_lines


class TokenizerFertilityFilter(PerDocumentFilter):
    """Keeps files with at least ``min_char_to_token_ratio`` characters per token.

    Args:
        path_to_tokenizer: a SentencePiece model (``.model``; needs ``sentencepiece``), or a Hugging
            Face tokenizer: its ``tokenizer.json`` or the folder holding it (needs ``tokenizers``).
        min_char_to_token_ratio: the least characters per token kept.

    The tokenizer is loaded on first use (on each worker), not when the filter is made.
    """

    def __init__(self, path_to_tokenizer: str | None = None, min_char_to_token_ratio: float = 2.5) -> None:
        super().__init__()
        if path_to_tokenizer is None:
            msg = (
                "Must provide a valid path to a SentencePiece tokenizer: TokenizerFertilityFilter("
                "path_to_tokenizer=...) takes a SentencePiece .model file or a Hugging Face tokenizer.json "
                "(or its folder)"
            )
            raise ConfigError(msg)
        path = os.fspath(path_to_tokenizer)
        if not os.path.exists(path):
            msg = f"TokenizerFertilityFilter: path_to_tokenizer {path!r} is missing; pass a .model or tokenizer.json"
            raise ConfigError(msg)
        self._path = path
        self._tokenizer: Any = None
        self._threshold = min_char_to_token_ratio
        self._name = "tokenizer_fertility"

    def load_model(self) -> None:
        """Loads the tokenizer (the stage's ``setup`` calls this on every worker)."""
        if self._tokenizer is None:
            self._tokenizer = _load_tokenizer(self._path)

    def score_document(self, source: str) -> float:
        self.load_model()
        num_tokens = len(self._tokenizer(source))
        return len(source) / num_tokens if num_tokens else -1

    def keep_document(self, score: float) -> bool:
        return score >= self._threshold

    def __getstate__(self) -> dict[str, Any]:
        # Ship the path, not the loaded tokenizer: each worker loads its own.
        return {**self.__dict__, "_tokenizer": None}


def _load_tokenizer(path: str) -> Any:
    """A function from text to its list of tokens, for a SentencePiece or Hugging Face tokenizer."""
    hf_file = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
    if hf_file.endswith(".json"):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(hf_file)
        return lambda text: tokenizer.encode(text, add_special_tokens=False).tokens
    try:
        import sentencepiece
    except ImportError as e:
        msg = (
            f"TokenizerFertilityFilter: {path!r} is a SentencePiece model, which needs sentencepiece "
            "(pip install sentencepiece); or pass a Hugging Face tokenizer.json instead"
        )
        raise ConfigError(msg) from e
    processor = sentencepiece.SentencePieceProcessor()
    processor.Load(path)
    return processor.encode_as_pieces


class XMLHeaderFilter(PerDocumentFilter):
    """Drops files whose first ``char_prefix_search_length`` characters hold an XML declaration.

    They are usually XML under a wrong extension.
    """

    def __init__(self, char_prefix_search_length: int = 100) -> None:
        super().__init__()
        self._char_prefix_search_length = char_prefix_search_length
        self._name = "xml_header"

    def score_document(self, source: str) -> int:
        return 1 if "<?xml version=" in source[: self._char_prefix_search_length] else 0

    def keep_document(self, score: float) -> bool:
        return score != 1


class AlphaFilter(PerDocumentFilter):
    """Keeps files in which at least ``min_alpha_ratio`` of the characters are alphabetic.

    Files that are mostly numbers (tensors, tables) fall below it. An empty file scores 0.
    """

    def __init__(self, min_alpha_ratio: float = 0.25) -> None:
        super().__init__()
        self._min_alpha_ratio = min_alpha_ratio
        self._name = "alpha_filter"

    def score_document(self, source: str) -> float:
        return count_alphabetic(source) / len(source) if source else 0.0

    def keep_document(self, score: float) -> bool:
        return score >= self._min_alpha_ratio


class HTMLBoilerplateFilter(PerDocumentFilter):
    """Keeps HTML whose visible text is at least ``min_lang_content_ratio`` of it and is not tiny.

    Visible text is everything but tags, comments, scripts and styles; fewer than
    ``min_lang_content_num_chars`` characters of it scores 0 (dropped).
    """

    def __init__(self, min_lang_content_ratio: float = 0.2, min_lang_content_num_chars: int = 100) -> None:
        super().__init__()
        self._min_lang_content_ratio = min_lang_content_ratio
        self._min_lang_content_num_chars = min_lang_content_num_chars
        self._name = "html_boilerplate"

    def score_document(self, source: str) -> float:
        text = html_visible_text(source)
        if len(text) < self._min_lang_content_num_chars or not source:
            return 0
        return len(text) / len(source)

    def keep_document(self, score: float) -> bool:
        return not math.isnan(score) and score >= self._min_lang_content_ratio


_COLUMNS = ("language", "extension", "Include", "Long_line_threshold", "Alphanum_threshold", "Alpha filter")


@dataclass(frozen=True, slots=True)
class ExtensionRule:
    """One CSV row's checks: None switches a check off."""

    include: bool
    line_max: int | None
    line_mean: int | None
    alphanum_frac: float | None
    alphabetic_frac: float | None


def _number(cell: str, kind: type[int] | type[float]) -> int | float | None:
    try:
        return kind(cell)
    except ValueError:
        return None


class PerExtensionFilter(PerDocumentFilter):
    """Drops files whose lines are too long or that have too few (alpha)numeric characters.

    Args:
        lang: the files' language as the dataset names it (``"C++"``, ``"C#"``, ``"Python"``).
        extension: the files' extension without the dot (``"cpp"``); None for files without one.
        metadata_file: the CSV of thresholds (see the module docstring).

    A (language, extension) pair the CSV lacks, or marks not included, scores 0: every file dropped.
    """

    def __init__(self, lang: str, extension: str | None, metadata_file: str = "code_meta.csv") -> None:
        super().__init__()
        self._metadata_file = metadata_file
        self._lang = lang
        self._extension = extension
        self._ext_to_filter = self._load_filter_csv(metadata_file, lang)
        key = (self._language_format_from_dataset(lang), extension if extension is not None else "")
        self._rule = self._ext_to_filter.get(key)
        if self._rule is None:
            logger.warning("PerExtensionFilter: %s is not in %s; every document will be dropped", key, metadata_file)
        self._name = "per_extension_filter"

    def _load_filter_csv(self, path: str, language: str | None = None) -> dict[tuple[str, str], ExtensionRule]:
        """The rules of ``path`` by (language, extension), only ``language``'s when given."""
        if not os.path.isfile(path):
            msg = (
                f"PerExtensionFilter: metadata_file {path!r} does not exist (relative paths are read from "
                f"{os.getcwd()!r}). Pass metadata_file= the CSV of per-extension thresholds, e.g. StarCoder's "
                "code_meta.csv from NeMo Curator's repository (nemo_curator/utils/code_meta.csv)."
            )
            raise ConfigError(msg)
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                msg = f"PerExtensionFilter: {path!r} lacks the column(s) {missing}; it needs {list(_COLUMNS)}"
                raise ConfigError(msg)
            rules = {
                (row["language"], row["extension"]): self._get_filter_params(row)
                for row in reader
                if language is None or row["language"] == language
            }
        if not rules:
            msg = f"Did not find filtering params corresponding to language: `{language}` in: {path}"
            raise ConfigError(msg)
        return rules

    @staticmethod
    def _get_filter_params(row: dict[str, str]) -> ExtensionRule:
        line_max = _number(row["Long_line_threshold"], int)
        return ExtensionRule(
            include=row["Include"] == "1",
            line_max=line_max,  # type: ignore[arg-type]
            line_mean=100 if line_max else None,
            alphanum_frac=_number(row["Alphanum_threshold"], float),
            alphabetic_frac=_number(row["Alpha filter"], float),
        )

    @staticmethod
    def _language_format_from_dataset(lang: str) -> str:
        """The CSV's spelling of a dataset's language name (``"C#"`` -> ``"c-sharp"``)."""
        return {"C#": "c-sharp", "F#": "f-sharp"}.get(lang, lang.lower().replace(" ", "-"))

    @staticmethod
    def _line_statistics(source: str) -> tuple[int, float]:
        """The longest line's length and the mean line length (newlines not counted)."""
        lengths = [len(line) for line in source.split("\n")]
        return max(lengths), (len(source) + 1) / len(lengths) - 1

    @staticmethod
    def _alphanum_fraction(source: str) -> float:
        return len(regex_alphanum.findall(source)) / len(source) if source else 0.0

    def score_document(self, source: str) -> int:
        rule = self._rule
        if rule is None or not rule.include:
            return 0
        max_length, mean_length = self._line_statistics(source)
        if (rule.line_max and max_length > rule.line_max) or (rule.line_mean and mean_length > rule.line_mean):
            return 0
        if rule.alphanum_frac and self._alphanum_fraction(source) < rule.alphanum_frac:
            return 0
        if rule.alphabetic_frac and sum(map(str.isalpha, source)) < rule.alphabetic_frac * len(source):
            return 0
        return 1

    def keep_document(self, score: float | None) -> bool:
        return not (score is None or score == 0)
