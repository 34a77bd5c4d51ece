"""Imported by the local workers' forkserver (``forkserver.PRELOAD``): numba's JIT, started once.

The first call of any numba function in a process starts LLVM's code generator, about 0.3 s,
whichever function it is; later functions then load from numba's cache in milliseconds. Calling
one trivial function here, in the server every local worker is forked from, pays that once per
driver process instead of once per worker, and the forks share its memory copy-on-write. Where
numba cannot be imported, the forkserver skips this module (it ignores preload ImportErrors).
"""

from __future__ import annotations

import numba


@numba.njit(cache=True)
def _one(x: int) -> int:  # pragma: no cover - compiled
    return x + 1


_one(1)
