"""A generated sample corpus: English web-like documents plus the junk a heuristic cascade removes.

Deterministic for a given seed, so tests and benchmarks see the same documents every run.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

__all__ = ["generate_documents", "write_sample_corpus"]

_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "what",
    "will",
    "more",
    "if",
    "no",
    "out",
    "so",
    "said",
    "who",
    "can",
    "about",
    "other",
    "many",
    "them",
    "then",
    "these",
    "some",
    "time",
    "two",
    "may",
    "first",
    "into",
    "only",
    "new",
    "could",
    "people",
    "also",
    "after",
    "over",
    "such",
    "where",
    "most",
    "years",
    "work",
    "through",
    "back",
    "much",
    "before",
    "good",
    "being",
    "used",
    "because",
    "those",
    "very",
    "data",
    "model",
    "research",
    "city",
    "river",
    "history",
    "market",
    "school",
    "water",
    "energy",
    "family",
    "garden",
    "music",
    "science",
    "system",
    "process",
    "development",
    "community",
    "government",
    "report",
    "language",
    "study",
    "health",
    "value",
    "support",
    "project",
    "service",
]
_GERMAN = [
    "der",
    "die",
    "und",
    "in",
    "den",
    "von",
    "zu",
    "das",
    "mit",
    "sich",
    "des",
    "auf",
    "für",
    "ist",
    "im",
    "dem",
    "nicht",
    "ein",
    "eine",
    "als",
    "auch",
    "es",
    "an",
    "werden",
]
_FRENCH = [
    "le",
    "de",
    "la",
    "et",
    "les",
    "des",
    "en",
    "un",
    "une",
    "du",
    "est",
    "que",
    "pour",
    "qui",
    "dans",
    "par",
    "sur",
    "pas",
    "plus",
    "ne",
    "au",
    "avec",
    "ce",
    "il",
    "sont",
]


def _sentence(rng: random.Random, words: list[str]) -> str:
    body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 22)))
    return body[0].upper() + body[1:] + rng.choice([".", ".", ".", "!", "?"])


def _paragraph(rng: random.Random, words: list[str]) -> str:
    return " ".join(_sentence(rng, words) for _ in range(rng.randint(3, 7)))


def _prose(rng: random.Random, words: list[str] = _WORDS) -> str:
    return "\n\n".join(_paragraph(rng, words) for _ in range(rng.randint(2, 6)))


def _junk(rng: random.Random, kind: int) -> str:
    if kind == 0:  # too short
        return _sentence(rng, _WORDS)
    if kind == 1:  # link farm
        return "\n".join(f"https://example{rng.randint(0, 999)}.com/page/{rng.randint(0, 10**6)}" for _ in range(40))
    if kind == 2:  # the same line over and over
        line = _sentence(rng, _WORDS)
        return "\n".join([line] * 30)
    if kind == 3:  # symbols and numbers
        return " ".join(f"#{rng.randint(0, 10**5)} ... $$ {rng.random():.4f} ###" for _ in range(80))
    if kind == 4:
        return _prose(rng, _GERMAN)
    return _prose(rng, _FRENCH)


def generate_documents(n: int, seed: int = 0, junk_fraction: float = 0.3) -> list[dict[str, str]]:
    """``n`` documents ``{"id", "text", "url"}``; about ``junk_fraction`` of them are low quality."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        text = _junk(rng, rng.randrange(6)) if rng.random() < junk_fraction else _prose(rng)
        docs.append({"id": f"doc-{seed}-{i}", "text": text, "url": f"https://site{i % 97}.example.org/{i}"})
    return docs


def write_sample_corpus(folder: str | Path, num_docs: int = 2000, num_files: int = 8, seed: int = 0) -> list[Path]:
    """Write ``num_docs`` generated documents as ``num_files`` JSONL files; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    docs = generate_documents(num_docs, seed=seed)
    paths = []
    for f in range(num_files):
        path = folder / f"sample-{f:03d}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for doc in docs[f::num_files]:
                out.write(json.dumps(doc) + "\n")
        paths.append(path)
    return paths
