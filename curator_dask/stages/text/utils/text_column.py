"""Per-batch views of a text column, shared by the vectorised filters through a one-batch cache.

A cascade of ``ScoreFilter`` stages hands every filter the same texts, minus those dropped so far.
Splitting the column into words, lines and paragraphs (and numbering its n-grams) is the costly
part, so the last ``TextColumn`` built on this thread is kept: when the next filter's column is
the same texts, or a subsequence of them in the same order (checked by index, then by content), the
cached views are reused or subset instead of rebuilt. A subset column keeps its parent's views
with its positions in them and subsets a view only when a filter first asks for it, so a filter
that drops rows costs nothing for the views the next filters do not use. The cache lives in a
``threading.local``, never on a filter, so filters stay small and picklable, and threads never
share a column. The numba kernels of ``_text_kernels`` do the n-gram numbering (``ngram_ids``)
and the byte counts; the array code they replace stays as the fallback without numba.

``ratio`` and ``max_per_doc`` are the per-document reductions the filters' batch paths share.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator_dask.errors import InputError
from curator_dask.stages.text.utils.constants import PATTERN_NONBLANK_LINE, PY_WHITESPACE
from curator_dask.stages.text.utils.ngram_ids import kernels, number_ngrams

__all__ = ["FlatTokens", "TextColumn", "clear_cache", "max_per_doc", "ratio", "text_column"]

_T = TypeVar("_T")
_LOCAL = threading.local()


@dataclass
class FlatTokens:
    """The tokens of every document of a batch, flattened in document order.

    Attributes:
        doc: document position of each token (non-decreasing).
        ids: id of each token's string in ``vocab``; equal strings share an id.
        lens: length of each token in code points.
        vocab: the distinct token strings.
        n_docs: number of documents in the batch.
    """

    doc: np.ndarray
    ids: np.ndarray
    lens: np.ndarray
    vocab: pa.Array
    n_docs: int
    _ngrams: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _vocab_list: list[str] | None = field(default=None, repr=False)
    _counts: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_lists(cls, lists: pa.Array, keep_token: Callable[[pa.Array], pa.Array] | None = None) -> FlatTokens:
        """The tokens of a list array (one list per document), those ``keep_token`` rejects left out."""
        flat = pc.list_flatten(lists)
        doc = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
        if keep_token is not None:
            mask = keep_token(flat)
            flat, doc = flat.filter(mask), doc[mask.to_numpy(zero_copy_only=False)]
        encoded = pc.dictionary_encode(flat)
        ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        lens = pc.utf8_length(encoded.dictionary).to_numpy(zero_copy_only=False).astype(np.int64)[ids]
        return cls(doc=doc, ids=ids, lens=lens, vocab=encoded.dictionary, n_docs=len(lists))

    def counts(self) -> np.ndarray:
        """Number of tokens of each document (counted once, read-only: filters share it)."""
        if self._counts is None:
            self._counts = np.bincount(self.doc, minlength=self.n_docs)
            self._counts.flags.writeable = False
        return self._counts

    def sum_per_doc(self, weights: np.ndarray) -> np.ndarray:
        """Per document, the sum of ``weights`` over its tokens (exact for integer weights below 2**53)."""
        return np.bincount(self.doc, weights=weights, minlength=self.n_docs)

    def distinct_per_doc(self) -> tuple[np.ndarray, np.ndarray]:
        """Per document, the number of distinct tokens and their total length in code points."""
        width = len(self.vocab) + 1
        docs, ids = np.divmod(np.unique(self.doc * width + self.ids), width)
        id_lens = np.zeros(width, dtype=np.int64)
        id_lens[self.ids] = self.lens
        return np.bincount(docs, minlength=self.n_docs), np.bincount(docs, weights=id_lens[ids], minlength=self.n_docs)

    def vocab_list(self) -> list[str]:
        """``vocab`` as Python strings (converted once)."""
        if self._vocab_list is None:
            self._vocab_list = self.vocab.to_pylist()
        return self._vocab_list

    def ngram_ids(self, n: int) -> np.ndarray:
        """Per token position, an id of the ``n``-gram starting there (-1 when it leaves its document).

        Ids are per document (equal n-grams of one document share an id, other documents' differ)
        and numbered in order of first appearance, which subsetting documents preserves. Built from
        the (n-1)-gram ids so that each order costs one hash pass, and kept for the next filter.
        """
        if n not in self._ngrams:
            prev = self.ngram_ids(n - 1) if n > 1 else self.ids
            self._ngrams[n] = number_ngrams(prev, self.ids, self.doc, n, self.n_docs, len(self.vocab) + 1)
        return self._ngrams[n]

    def subset(self, keep: np.ndarray, remap: np.ndarray) -> FlatTokens:
        """The tokens of the kept documents (``keep`` per old document, ``remap`` old->new position)."""
        mask = keep[self.doc]
        # A cascade asks for n-grams in increasing order and builds order n from n - 1 (n - 2 for
        # a top n-gram's bound): the two highest orders are all the next filter can use, and
        # subsetting every lower one too cost more than the n-gram filters' own work.
        carried = sorted(self._ngrams)[-2:]
        counts = None if self._counts is None else self._counts[keep]
        if counts is not None:
            counts.flags.writeable = False
        return FlatTokens(
            doc=remap[self.doc[mask]],
            ids=self.ids[mask],
            lens=self.lens[mask],
            vocab=self.vocab,
            n_docs=int(keep.sum()),
            _ngrams={n: self._ngrams[n][mask] for n in carried},
            _vocab_list=self._vocab_list,
            _counts=counts,
        )


def _nonempty(tokens: pa.Array) -> pa.Array:
    return pc.not_equal(pc.binary_length(tokens), 0)


def _nonblank(lines: pa.Array) -> pa.Array:
    return pc.match_substring_regex(lines, f"[^{PY_WHITESPACE}]")


class TextColumn:
    """One batch's text column as a pyarrow array, with lazily built, cached views of it."""

    def __init__(self, arrow: pa.Array, index: pd.Index) -> None:
        self.arrow = arrow
        self.index = index
        self._views: dict[str, object] = {}
        # Views of an earlier column that this one is a subset of, each with this column's
        # positions in it; subset only when a filter asks for one (most filters use one or none).
        self._inherited: dict[str, tuple[object, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.arrow)

    def _view(self, name: str, build: Callable[[], _T]) -> _T:
        if name not in self._views:
            inherited = self._inherited.pop(name, None)
            self._views[name] = build() if inherited is None else _subset_view(*inherited)
        return cast(_T, self._views[name])

    def nchar(self) -> np.ndarray:
        """Length of each document in code points (``len(text)``)."""
        return self._view("nchar", lambda: pc.utf8_length(self.arrow).to_numpy(zero_copy_only=False).astype(np.int64))

    def texts(self) -> list[str]:
        """The documents as Python strings, for the few checks done per document."""
        return self._view("texts", self.arrow.to_pylist)

    def words(self) -> FlatTokens:
        """Whitespace-separated words: ``text.split()`` (pyarrow's whitespace set is Python's)."""
        # pyarrow yields "" around leading/trailing whitespace and for "", where str.split() yields nothing.
        return self._view("words", lambda: FlatTokens.from_lists(pc.utf8_split_whitespace(self.arrow), _nonempty))

    def _buffers(self) -> tuple[np.ndarray | None, np.ndarray]:
        """The UTF-8 bytes of the whole data buffer (None when it has none) and this array's offsets into it."""
        offsets = np.frombuffer(self.arrow.buffers()[1], dtype=np.int64)[self.arrow.offset :][: len(self) + 1]
        data = self.arrow.buffers()[2]
        return (None if data is None else np.frombuffer(data, dtype=np.uint8)), offsets

    def lines(self) -> FlatTokens:
        """Non-blank lines, as ``get_sentences`` returns them (unstripped)."""
        return self._view("lines", lambda: FlatTokens.from_lists(pc.split_pattern(self.arrow, "\n"), _nonblank))

    def line_count(self) -> np.ndarray:
        """Number of non-blank lines of each document (``len(get_sentences(text))``).

        Counted from the lines where a filter has split them already (the repeated-lines filters
        run before the line-ratio ones in NeMo's cascade), else with one RE2 pass over the texts.
        """
        if "lines" in self._views or "lines" in self._inherited:
            return self._view("line_count", lambda: self.lines().counts())
        return self._view("line_count", lambda: self.count_regex(PATTERN_NONBLANK_LINE))

    def paragraphs(self) -> FlatTokens:
        """Pieces between double newlines, as ``get_paragraphs`` returns them."""
        return self._view("paragraphs", lambda: FlatTokens.from_lists(pc.split_pattern(self.arrow, "\n\n")))

    def count_regex(self, pattern: str) -> np.ndarray:
        """Non-overlapping matches of an RE2 ``pattern`` in each document."""
        return pc.count_substring_regex(self.arrow, pattern).to_numpy(zero_copy_only=False).astype(np.int64)

    def count_bytes(self, table: np.ndarray, compiled: bool = True) -> np.ndarray:
        """Sum of ``table[byte]`` over the UTF-8 bytes of each document (for ASCII character classes).

        ``compiled``: one pass of a numba kernel where numba can be imported, else numpy's.
        """
        data, offsets = self._buffers()
        if len(self) == 0 or data is None or offsets[-1] == offsets[0]:
            return np.zeros(len(self), dtype=np.int64)
        compiled_kernels = kernels() if compiled else None
        if compiled_kernels is not None:
            return compiled_kernels.count_bytes(data, offsets, table)
        # One byte of table values per text byte, summed per document: a running int64 sum would
        # allocate (and page-fault in) eight bytes per text byte, which costs more than the sums.
        values = np.take(table, data[offsets[0] : offsets[-1]])
        starts, sizes = offsets[:-1] - offsets[0], np.diff(offsets)
        out = np.zeros(len(self), dtype=np.int64)
        nonempty = sizes > 0  # reduceat needs increasing starts inside the array
        out[nonempty] = np.add.reduceat(values, starts[nonempty], dtype=np.int64)
        return out

    def subset(self, positions: np.ndarray, arrow: pa.Array, index: pd.Index) -> TextColumn:
        """This column's views restricted to the documents at increasing ``positions`` (when first used)."""
        new = TextColumn(arrow, index)
        new._inherited = {name: (view, where[positions]) for name, (view, where) in self._inherited.items()}
        new._inherited.update((name, (view, positions)) for name, view in self._views.items())
        return new


def _subset_view(view: object, positions: np.ndarray) -> object:
    """A view (tokens, per-document values or strings) of the documents at increasing ``positions``."""
    if isinstance(view, FlatTokens):
        keep = np.zeros(view.n_docs, dtype=bool)
        keep[positions] = True
        return view.subset(keep, np.cumsum(keep) - 1)
    if isinstance(view, np.ndarray):
        return view[positions]
    return [cast(list, view)[i] for i in positions.tolist()]


def _to_arrow(texts: pd.Series) -> pa.Array:
    try:
        arrow = pa.array(texts, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        bad = next(((k, v) for k, v in texts.items() if not isinstance(v, str) and not _is_missing(v)), None)
        where = f"; the value at index {bad[0]!r} is a {type(bad[1]).__name__}: {bad[1]!r:.40}" if bad else ""
        msg = (
            f"text column {texts.name!r} must hold strings{where}. Convert the column (.astype(str)) or drop "
            f"those rows before the text filters ({e})"
        )
        raise InputError(msg) from e
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    if arrow.null_count:
        first = int(np.flatnonzero(arrow.is_null().to_numpy(zero_copy_only=False))[0])
        msg = (
            f"text column {texts.name!r} has {arrow.null_count} missing value(s), the first at index "
            f"{texts.index.take([first]).tolist()[0]!r}; the text filters score strings: fill them "
            f"(.fillna('')) or drop those rows first"
        )
        raise InputError(msg)
    return arrow


def _is_missing(value: object) -> bool:
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def ratio(numerator: np.ndarray, denominator: np.ndarray, when_zero: float) -> np.ndarray:
    """``numerator / denominator`` per document (IEEE division, as Python's), ``when_zero`` where 0."""
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(len(den), when_zero, dtype=np.float64)
    np.divide(np.asarray(numerator, dtype=np.float64), den, out=out, where=den != 0)
    return out


def max_per_doc(values: np.ndarray, docs: np.ndarray, n_docs: int, empty: float = 0) -> np.ndarray:
    """Per document, the maximum of ``values`` over its entries (``docs`` sorted), ``empty`` where none.

    The result has the dtype of ``values`` and ``empty`` together: integers stay integers unless
    ``empty`` is a float such as NaN.
    """
    out = np.full(n_docs, empty, dtype=np.result_type(values, empty))
    if len(values):
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        out[docs[starts]] = np.maximum.reduceat(values, starts)
    return out


def text_column(texts: pd.Series) -> TextColumn:
    """The ``TextColumn`` of ``texts``, reusing this thread's last one when the texts allow.

    Raises:
        InputError: for a missing value or a value that is not a string, naming the first one's index.
    """
    arrow = _to_arrow(texts)
    last: TextColumn | None = getattr(_LOCAL, "column", None)
    column = _reuse(last, arrow, texts.index) if last is not None else None
    if column is None:
        column = TextColumn(arrow, texts.index)
    _LOCAL.column = column
    return column


def _reuse(last: TextColumn, arrow: pa.Array, index: pd.Index) -> TextColumn | None:
    if len(arrow) == len(last) and arrow.equals(last.arrow):
        return last
    if len(arrow) > len(last) or not last.index.is_unique:
        return None
    positions = last.index.get_indexer(index)
    if len(positions) and ((positions < 0).any() or (np.diff(positions) <= 0).any()):
        return None
    # Index labels can lie (a new frame reusing labels): only equal content makes the views valid.
    if not arrow.equals(last.arrow.take(pa.array(positions, type=pa.int64()))):
        return None
    return last.subset(positions, arrow, index)


def clear_cache() -> None:
    """Forget this thread's cached column (tests; freeing memory between batches)."""
    _LOCAL.__dict__.pop("column", None)
