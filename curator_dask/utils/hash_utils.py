"""Content hashes that name things the same way in every run (NeMo Curator's formula)."""

from __future__ import annotations

import hashlib

__all__ = ["get_deterministic_hash"]


def get_deterministic_hash(inputs: list[str], seed: str = "") -> str:
    """The first 12 hex characters of the sha256 of the sorted ``inputs`` joined by ``|``, then ``seed``.

    Order-independent, so a file group's id does not depend on how its files were listed;
    ``FileGroupTask`` ids and writers' output file names are made with it.
    """
    combined = "|".join(sorted(inputs)) + "|" + seed
    return hashlib.sha256(combined.encode()).hexdigest()[:12]
