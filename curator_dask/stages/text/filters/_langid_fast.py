"""py3langid's classifier with its feature extraction compiled: the same labels and scores, faster.

py3langid (0.4) scores a text in two steps: a walk of a byte-level automaton in a Python loop
(``visit_counts``, one dictionary update per byte: most of the time), then a naive-Bayes product
``log1p(counts) @ nb_ptc[features] + nb_pc`` over the features in order of first sighting, with the
float16 table cast to float32 on every call. ``FastIdentifier`` replaces only ``_raw_score``:

* the walk runs in numba and yields the same features in the same order with the same counts;
* the product is the same float32 BLAS call on the same rows, from a table cast once per worker.

Everything else (text encoding, temperature, softmax, aliases, the argmax) is py3langid's own code.
Because the result must be bit for bit py3langid's, ``fast_identifier`` checks its identifier
against py3langid's on probe texts when it is built and returns py3langid's own when they differ
(another py3langid version, a model with other internals) or when numba cannot be imported.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any

import numpy as np

__all__ = ["fast_identifier"]

# Texts in several scripts, cases and lengths (and one without features) to compare both ways on.
_PROBES = (
    "The committee will publish its final report on the new railway line next spring.",
    "Der Ausschuss wird seinen Abschlussbericht im nächsten Frühjahr veröffentlichen.",
    "委员会将在听取居民意见后于明年春天发布关于新铁路线的最终报告。",
    "Комитет опубликует окончательный доклад весной. ΕΛΛΗΝΙΚΑ κείμενα εδώ.",
    "SHOUTING IN UPPER CASE IS LOWERED FIRST",
    "x",
    "",
    "1234 5678 !!! ???",
)


@functools.cache
def _kernel() -> Any:
    """The compiled walk (numba imported, and the kernel compiled or loaded from its cache, once)."""
    import numba

    @numba.njit(nogil=True, cache=True)
    def walk(
        nextmove: Any, rowbase: Any, output: Any, data: Any, starts: Any, slot: Any, feats: Any, counts: Any
    ) -> Any:
        """Per text ``data[starts[i]:starts[i+1]]``: its features in first-sighting order, and their counts.

        visit_counts's automaton: ``state = nextmove[rowbase[state] + byte]``, and a state with
        ``output >= 0`` emits that feature. Each step waits for a load from a 40 MB table, so
        ``_LANES`` texts are walked side by side: their loads overlap instead of queueing. The
        features of text ``i`` go to ``feats[starts[i]:]`` (a text has at most one per byte).
        """
        n, lanes = len(starts) - 1, 16
        hits = np.zeros(n, dtype=np.int64)
        doc = np.full(lanes, -1, dtype=np.int64)
        pos = np.zeros(lanes, dtype=np.int64)
        state = np.zeros(lanes, dtype=np.int64)
        following, active = 0, 0
        for lane in range(lanes):
            if following < n:
                doc[lane], pos[lane], following, active = following, starts[following], following + 1, active + 1
        while active > 0:
            for lane in range(lanes):
                d = doc[lane]
                if d < 0:
                    continue
                if pos[lane] == starts[d + 1]:
                    if following < n:
                        doc[lane], pos[lane], state[lane], following = following, starts[following], 0, following + 1
                    else:
                        doc[lane], active = -1, active - 1
                    continue
                s = nextmove[rowbase[state[lane]] + data[pos[lane]]]
                state[lane], pos[lane] = s, pos[lane] + 1
                # Branch-free: a mispredicted "if f >= 0" (it waits on the load) would throw away
                # the other lanes' loads in flight. A -1 written here is overwritten by the next.
                f = output[s]
                feats[starts[d] + hits[d]] = f
                hits[d] += f >= 0
        # Features in the order of their first sighting with their counts (what Counter gives),
        # in place; ``slot`` maps a feature to its place (-1: not seen in this text).
        for d in range(n):
            base, k = starts[d], 0
            for j in range(hits[d]):
                f = feats[base + j]
                at = slot[f]
                if at < 0:
                    slot[f] = k
                    feats[base + k] = f
                    counts[base + k] = 1
                    k += 1
                else:
                    counts[base + at] += 1
            for j in range(k):
                slot[feats[base + j]] = -1
            hits[d] = k
        return hits

    return walk


def _fast_class(base: type) -> type:
    class FastIdentifier(base):  # type: ignore[misc, valid-type]
        """py3langid's ``LanguageIdentifier`` whose raw scores come from a compiled, batched walk."""

        __slots__ = ("_fast",)

        def _prepare(self) -> None:
            output = np.asarray(self.tk_output, dtype=np.int32)
            nextmove = self.tk_nextmove
            if getattr(nextmove, "typecode", None) == "I":  # array.array: a view, not a 40 MB copy
                nextmove = np.frombuffer(nextmove, dtype=np.uint32)
            self._fast = (
                _kernel(),
                np.asarray(nextmove),
                np.asarray(self._rowbase, dtype=np.int64),
                output,
                int(output.max()) + 1,
                threading.local(),  # per thread: scratch map and queued scores (one filter serves all threads)
                self.nb_ptc,
                # Cast once (57 MB for the packaged model): gathering float16 rows and casting them
                # on every call is most of the product's time, and the float32 values are the same.
                np.asarray(self.nb_ptc, dtype=np.float32),
            )

        def _raw_scores(self, encoded: list[bytes]) -> list[Any]:
            walk, nextmove, rowbase, output, n_features, local, ptc, table = self._fast
            if ptc is not self.nb_ptc:  # set_languages() swapped the table
                self._prepare()
                return self._raw_scores(encoded)
            slot = getattr(local, "slot", None)
            if slot is None:
                slot = local.slot = np.full(n_features, -1, dtype=np.int64)
            starts = np.zeros(len(encoded) + 1, dtype=np.int64)
            np.cumsum([len(b) for b in encoded], out=starts[1:])
            data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
            feats, counts = np.empty(len(data), dtype=np.intp), np.empty(len(data), dtype=np.int64)
            hits = walk(nextmove, rowbase, output, data, starts, slot, feats, counts).tolist()
            scores = []
            for text, start, k in zip(encoded, starts.tolist(), hits, strict=False):
                if k == 0:
                    scores.append(super()._raw_score(text))  # py3langid's fill for featureless text
                    continue
                # _sparse_score's expression: float32 counts, rows in first-sighting order, one BLAS call.
                used = slice(start, start + k)
                scores.append(np.log1p(counts[used].astype(np.float32)) @ table[feats[used]] + self.nb_pc)
            return scores

        def _raw_score(self, text: bytes) -> Any:
            queued = getattr(self._fast[5], "queued", None)
            if queued and queued[-1][0] == text:  # classify_many computed it already
                return queued.pop()[1]
            return self._raw_scores([text])[0]

        def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
            """``classify`` of each text, the features of all of them extracted in one call."""
            encoded = [self._encode(t) for t in texts]
            local = self._fast[5]
            local.queued = list(zip(encoded, self._raw_scores(encoded), strict=True))[::-1]
            try:
                return [self.classify(t) for t in texts]  # py3langid's own code, on the queued scores
            finally:
                local.queued = None

    return FastIdentifier


def fast_identifier(path: str, norm_probs: bool) -> Any:
    """py3langid's identifier for the model at ``path``, with the compiled walk when it is exact."""
    from py3langid.langid import LanguageIdentifier

    try:
        fast: Any = _fast_class(LanguageIdentifier).from_model_file(path, norm_probs=norm_probs)  # type: ignore[attr-defined]
        fast._prepare()
        # py3langid's own identifier on the same arrays (no second load), to compare against.
        ptc, pc, classes = fast._full_model
        reference = LanguageIdentifier(
            ptc, pc, classes, fast.tk_nextmove, fast.tk_output, norm_probs=norm_probs, tk_row=fast.tk_row
        )
        expected = [reference.classify(t) for t in _PROBES]
        if fast.classify_many(list(_PROBES)) == expected and [fast.classify(t) for t in _PROBES] == expected:
            return fast
        why = "its scores differ from py3langid's on the probe texts (another py3langid version?)"
    except ImportError as e:  # numba missing or broken
        why = f"numba cannot be imported ({e}); fix: `pip install -U numba`"
    except (AttributeError, TypeError) as e:  # other py3langid internals
        why = f"this py3langid's internals differ ({e})"
    warnings.warn(
        f"LangIdFilter: using py3langid's own classifier (same results, about 5x slower): {why}",
        RuntimeWarning,
        stacklevel=3,
    )
    return LanguageIdentifier.from_model_file(path, norm_probs=norm_probs)
