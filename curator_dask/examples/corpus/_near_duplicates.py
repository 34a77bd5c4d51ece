"""A generated corpus with planted near-duplicates, for dedup tests, benchmarks and notebooks.

Base documents are paragraphs of words drawn (Zipf-like) from a random vocabulary, so texts share
frequent words but almost no 24-character shingles. A share of them get variants made by word
edits, word insertions, deletions or reordered paragraphs, with a random amount of change so the
variants' Jaccard similarities to their base spread from about 0.4 to 1. Exact copies are planted
too. Everything is drawn from one ``numpy`` generator (vectorised: fast for tens of thousands of
documents): the same seed gives the same corpus.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curator_dask.examples.corpus._args import is_count, is_share, require

_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
_KINDS = ("edit", "insert", "delete", "reorder")


def _vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    lengths = rng.integers(2, 10, size)
    return np.array(["".join(rng.choice(_LETTERS, n)) for n in lengths])


def _paragraphs(rng: np.random.Generator, vocab: np.ndarray, weights: np.ndarray, words: int) -> list[list[str]]:
    sizes = rng.integers(words // 5, words // 3, rng.integers(3, 6))
    return [list(rng.choice(vocab, n, p=weights)) for n in sizes]


def _variant(rng: np.random.Generator, paras: list[list[str]], vocab: np.ndarray, kind: str) -> list[list[str]]:
    out = [list(p) for p in paras]
    if kind == "reorder":
        order = rng.permutation(len(out))
        return [out[i] for i in order]
    changes = int(rng.integers(1, 12))
    for _ in range(changes):
        p = out[int(rng.integers(len(out)))]
        i = int(rng.integers(len(p)))
        if kind == "edit":
            p[i] = str(rng.choice(vocab))
        elif kind == "insert":
            p.insert(i, str(rng.choice(vocab)))
        elif len(p) > 1:
            del p[i]
    return out


def near_duplicates(
    n: int = 300, seed: int = 0, *, duplicate_share: float = 0.4, words: int = 300, id_prefix: str = "doc"
) -> pd.DataFrame:
    """A corpus of ``n`` documents, about ``duplicate_share`` of them planted (near-)duplicates.

    Args:
        n: documents in all.
        seed: the generator's seed.
        duplicate_share: the share that are variants or copies of another document.
        words: about how many words a base document has.
        id_prefix: ids are ``<id_prefix>-<00000 index>``, in a shuffled order.

    Returns:
        Columns ``id``, ``text``, ``source`` (the base document's index: documents with the same
        source are one family) and ``kind`` (``base``, ``copy``, or the variant's edit kind).

    Raises:
        ConfigError: naming the argument that is not one of the allowed values.
    """
    require("near_duplicates", "n", n, is_count(n, 1), "a whole number >= 1")
    share_ok = is_share(duplicate_share)
    require("near_duplicates", "duplicate_share", duplicate_share, share_ok, "a share between 0 and 1, such as 0.4")
    # Paragraphs have words // 5 to words // 3 words: fewer than 6 leaves that range empty.
    require("near_duplicates", "words", words, is_count(words, 6), "a whole number >= 6")
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng, 5000)
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    num_bases = max(1, round(n * (1 - duplicate_share)))
    bases = [_paragraphs(rng, vocab, weights, words) for _ in range(num_bases)]
    rows = [(i, "base", bases[i]) for i in range(num_bases)]
    for _ in range(n - num_bases):
        source = int(rng.integers(min(num_bases, max(1, num_bases // 3))))  # clusters around a third
        kind = "copy" if rng.random() < 0.1 else str(rng.choice(_KINDS))
        rows.append((source, kind, bases[source] if kind == "copy" else _variant(rng, bases[source], vocab, kind)))
    order = rng.permutation(len(rows))
    return pd.DataFrame(
        {
            "id": [f"{id_prefix}-{k:05d}" for k in range(len(rows))],
            "text": ["\n\n".join(" ".join(p) for p in rows[i][2]) for i in order],
            "source": [rows[i][0] for i in order],
            "kind": [rows[i][1] for i in order],
        }
    )
