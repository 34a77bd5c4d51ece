"""Tiny fastText models trained on the spot, their documents, and a filter that logs its set-up.

This is an importable module (not a test file) so that Dask worker processes can unpickle the
``Counting*`` filters. Nothing is downloaded: two made-up "languages" (and a quality split) are
drawn from disjoint alphabets, so a model trained on a few hundred lines tells them apart.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from curator_dask.stages.text.filters.fasttext import FastTextLangId, FastTextQualityFilter
from tests.backends.dask.pipeline_parts import record

__all__ = [
    "AWKWARD",
    "LANGUAGES",
    "QUALITY",
    "CountingLangId",
    "CountingQualityFilter",
    "documents",
    "train_model",
    "train_word_vectors",
]

# Label -> alphabet. GlotLID-style labels, so language-only and language-script filters both apply.
LANGUAGES = {"eng_Latn": "aeioulnrst", "deu_Cyrl": "kzxyvwqjhg"}
QUALITY = {"hq": "aeioulnrst", "lq": "kzxyvwqjhg"}
# Text that fastText and NeMo Curator's clean-up must both survive.
AWKWARD = ["", "   ", " \n\n ", "one\ntwo\nthree", "__label__eng_Latn trick", "😀 ünïcödé ☃", "x" * 5000, "\t\r tab"]


def _words(rng: random.Random, alphabet: str, n: int) -> list[str]:
    return ["".join(rng.choices(alphabet, k=rng.randint(2, 8))) for _ in range(n)]


def documents(alphabets: dict[str, str], n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` ``(label, text)`` pairs, labels taking turns, texts of 1 to 60 words of that alphabet."""
    rng = random.Random(seed)
    vocab = {label: _words(random.Random(label), alphabet, 250) for label, alphabet in alphabets.items()}
    labels = list(alphabets)
    pairs = []
    for i in range(n):
        label = labels[i % len(labels)]
        pairs.append((label, " ".join(rng.choices(vocab[label], k=rng.randint(1, 60)))))
    return pairs


# fasttext-numpy2-wheel 0.9.2 leaves its input matrix uninitialised except for ``thread`` tenths
# of it (DenseMatrix::uniform gives each training thread a tenth), so fewer than 11 threads train
# on leftover memory and stop with "Encountered NaN." at random. 12 threads initialise all of it.
_THREADS = 12


def train_model(path: Path, alphabets: dict[str, str], lines: int = 400, seed: int = 0) -> Path:
    """Train a small supervised fastText model on ``lines`` labelled lines and save it at ``path``."""
    import fasttext

    train = path.with_suffix(".train.txt")
    train.write_text("".join(f"__label__{label} {text}\n" for label, text in documents(alphabets, lines, seed)))
    kwargs = {"dim": 16, "epoch": 10, "lr": 0.5, "minn": 2, "maxn": 4, "bucket": 2000, "verbose": 0}
    fasttext.train_supervised(str(train), thread=_THREADS, **kwargs).save_model(str(path))
    return path


def train_word_vectors(path: Path) -> Path:
    """A small unsupervised (word-vector) fastText model: loadable, but no classifier."""
    import fasttext

    train = path.with_suffix(".train.txt")
    train.write_text("".join(f"{text}\n" for _, text in documents(LANGUAGES, 100, 1)))
    kwargs = {"dim": 8, "epoch": 1, "minn": 2, "maxn": 3, "bucket": 1000, "minCount": 1, "verbose": 0}
    fasttext.train_unsupervised(str(train), thread=_THREADS, **kwargs).save_model(str(path))
    return path


class _Counting:
    """Logs ``node <pid>`` per ``model_check_or_download`` and ``load <pid>`` per ``load_model``."""

    log: str

    def model_check_or_download(self) -> None:
        super().model_check_or_download()  # type: ignore[misc]
        record(self.log, f"node {os.getpid()}")

    def load_model(self) -> None:
        super().load_model()  # type: ignore[misc]
        record(self.log, f"load {os.getpid()}")


class CountingLangId(_Counting, FastTextLangId):
    def __init__(self, log: str | os.PathLike[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = os.fspath(log)


class CountingQualityFilter(_Counting, FastTextQualityFilter):
    def __init__(self, log: str | os.PathLike[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = os.fspath(log)
