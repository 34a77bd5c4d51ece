"""``FuzzyDuplicateIdentification``: near-duplicates by MinHash, LSH and connected components."""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from curator_dask.errors import ConfigError
from curator_dask.stages.deduplication._frames import client_of
from curator_dask.stages.deduplication.fuzzy.bands_stage import LSHBandsStage
from curator_dask.stages.deduplication.fuzzy.connected_components import (
    COMPONENT_FIELD,
    NODE_FIELD,
    connected_components,
)
from curator_dask.stages.deduplication.fuzzy.jaccard import filter_edges_by_jaccard
from curator_dask.stages.deduplication.fuzzy.lsh import band_column, buckets_edges, lsh_bands, lsh_buckets
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher
from curator_dask.stages.deduplication.identification import CURATOR_DEDUP_ID_STR, DuplicateIdentificationStage
from curator_dask.tasks.frames import empty_frame

__all__ = ["CURATOR_FUZZY_DUPLICATE_GROUP_FIELD", "FuzzyDuplicateIdentification"]

CURATOR_FUZZY_DUPLICATE_GROUP_FIELD = "_duplicate_group_id"
EDGES_PER_PARTITION = 2_000_000
BUCKET_ROWS_PER_PARTITION = 2_000_000  # [id, bucket id] rows per shuffled partition: 32 MB


class FuzzyDuplicateIdentification(DuplicateIdentificationStage):
    """Finds near-duplicate documents and keeps the smallest id of each group.

    Steps, all on the cluster, each computed before the next and timed (``step_<name>_s`` and
    ``_rows`` metrics, see ``_steps``): ``minhash``, signatures per partition then band bucket ids
    (the signatures are not kept; skipped when the input already holds the band ids, as
    ``LSHBandsStage`` makes them in the workflow); ``lsh_buckets``, ``bands_per_iteration`` bands
    at a time shuffled on bucket id (ids and bucket ids only); ``buckets_to_edges``, candidate
    edges per bucket; optionally ``jaccard``, the exact check of candidates;
    ``connected_components`` by min-label propagation. Each component keeps its smallest id; the
    others are removed. With the defaults (20 bands of 13), pairs with Jaccard 0.8 become candidates with
    probability 0.8 and pairs with Jaccard 0.9 with probability 0.997.

    Args:
        text_field, id_field, perform_removal, drop_id_field, shuffle_method, total_nparts:
            see ``DuplicateIdentificationStage``.
        seed: seed of the MinHash permutations (signatures are deterministic given it).
        char_ngrams: shingle width in characters.
        num_bands: LSH bands.
        minhashes_per_band: signature values per band.
        bands_per_iteration: bands that go through one shuffle (lower: less memory; higher:
            fewer shuffles).
        false_positive_check: keep only candidate pairs whose exact Jaccard similarity is at
            least ``jaccard_threshold`` (costly; off by default, as in NeMo Curator 1.x).
        jaccard_threshold: the similarity the check requires.
        max_cc_iterations: rounds of label propagation before giving up.
    """

    name = "fuzzy_duplicate_identification"
    group_field = CURATOR_FUZZY_DUPLICATE_GROUP_FIELD

    def __init__(
        self,
        text_field: str = "text",
        id_field: str = CURATOR_DEDUP_ID_STR,
        seed: int = 42,
        char_ngrams: int = 24,
        num_bands: int = 20,
        minhashes_per_band: int = 13,
        bands_per_iteration: int = 5,
        false_positive_check: bool = False,
        jaccard_threshold: float = 0.8,
        perform_removal: bool = False,
        drop_id_field: bool = False,
        shuffle_method: str = "tasks",
        total_nparts: int | None = None,
        max_cc_iterations: int = 64,
    ) -> None:
        super().__init__(text_field, id_field, perform_removal, drop_id_field, shuffle_method, total_nparts)
        if num_bands < 1 or minhashes_per_band < 1:
            msg = f"num_bands and minhashes_per_band must be positive; got {num_bands} and {minhashes_per_band}"
            raise ConfigError(msg)
        if not 1 <= bands_per_iteration <= num_bands:
            msg = f"bands_per_iteration must be between 1 and num_bands={num_bands}; got {bands_per_iteration}"
            raise ConfigError(msg)
        if not 0 < jaccard_threshold <= 1:
            msg = f"jaccard_threshold must be in (0, 1]; got {jaccard_threshold}"
            raise ConfigError(msg)
        self.hasher = MinHasher(num_hashes=num_bands * minhashes_per_band, char_ngrams=char_ngrams, seed=seed)
        self.num_bands = num_bands
        self.minhashes_per_band = minhashes_per_band
        self.bands_per_iteration = bands_per_iteration
        self.false_positive_check = false_positive_check
        self.jaccard_threshold = jaccard_threshold
        self.max_cc_iterations = max_cc_iterations

    def candidate_edges(self, frames: Any, client: Any) -> Any:
        """The persisted candidate edges ``[<id>_x, <id>_y]``, each pair once (steps ``minhash`` to ``jaccard``).

        ``frames`` holds the documents, or (from ``LSHBandsStage``, as the workflow runs it) their
        band bucket ids already, in which case the MinHash step is skipped.

        Each step is computed before the next starts and its input released right after, so the
        cluster holds one step's intermediates at a time: the band bucket ids (not the
        signatures, not the texts), then one band group's shuffled buckets, then the edges.
        """
        from distributed import wait

        steps = self.step_log()
        nparts = self.nparts(frames)
        columns = {self.id_field: self.id_field} | {band_column(j): "uint64" for j in range(self.num_bands)}
        if all(column in frames.columns for column in columns):  # LSHBandsStage ran before (the workflow)
            bands = frames[list(columns)]
            if bands.npartitions > nparts:  # neighbours concatenated: no shuffle, fewer shuffle tasks
                bands = client.persist(bands.repartition(npartitions=nparts))
                wait(bands)
        else:
            with steps.step("minhash"):
                bands = frames.map_partitions(
                    lsh_bands,
                    self.id_field,
                    self.text_field,
                    self.hasher,
                    self.minhashes_per_band,
                    meta=empty_frame(frames._meta, columns),
                )
                bands = client.persist(bands)
                wait(bands)
        parts = []
        for lo in range(0, self.num_bands, self.bands_per_iteration):
            chosen = range(lo, min(lo + self.bands_per_iteration, self.num_bands))
            with steps.step("lsh_buckets"):  # one band group at a time: this is what bounds memory
                buckets = client.persist(lsh_buckets(bands, self.id_field, chosen, nparts, self.shuffle_method))
                wait(buckets)
            with steps.step("buckets_to_edges"):
                edges = buckets_edges(buckets, self.id_field, self.false_positive_check)
                parts.append(client.persist(edges))
                wait(parts[-1])
                del buckets, edges
        del bands
        with steps.step("buckets_to_edges") as record:
            edges = dd.concat(parts) if len(parts) > 1 else parts[0]
            graph_parts = self.graph_nparts(int(client.compute(edges.shape[0], sync=True)), nparts)
            edges = client.persist(edges.drop_duplicates(split_out=graph_parts, shuffle_method=self.shuffle_method))
            del parts
            record.rows = int(client.compute(edges.shape[0], sync=True))
        if self.false_positive_check:
            with steps.step("jaccard") as record:
                edges = filter_edges_by_jaccard(
                    edges,
                    frames,
                    self.id_field,
                    self.text_field,
                    self.hasher.char_ngrams,
                    self.jaccard_threshold,
                    self.shuffle_method,
                )
                edges = client.persist(edges)
                record.rows = int(client.compute(edges.shape[0], sync=True))
        return edges

    def nparts(self, frames: Any) -> int:
        """Partitions of the shuffles: ``total_nparts``, else about ``BUCKET_ROWS_PER_PARTITION`` bucket rows each.

        What goes through the shuffles is 16 bytes per document and band, whatever the texts
        weigh, so one partition per input file (thousands of small files) would make each
        shuffle thousands of tiny tasks; at least 2 (both halves of a 2-worker cluster busy) and
        at most as many as the input has. The results do not depend on the number.
        """
        if self.total_nparts:
            return self.total_nparts
        cached = self.__dict__.get("_nparts_of")
        if cached is not None and cached[0] == frames._name:
            return int(cached[1])
        rows = int(client_of(frames).compute(frames.shape[0], sync=True))
        wanted = -(-rows * self.bands_per_iteration // BUCKET_ROWS_PER_PARTITION)
        count = max(1, min(frames.npartitions, max(2, wanted)))
        self._nparts_of = (frames._name, count)
        return count

    @staticmethod
    def graph_nparts(num_edges: int, nparts: int) -> int:
        """Partitions for the duplicate graph: about ``EDGES_PER_PARTITION`` edges each, at most ``nparts``.

        The graph is usually far smaller than the documents; fewer partitions make each round
        of connected components a few tasks instead of an all-to-all shuffle.
        """
        return max(1, min(nparts, -(-num_edges // EDGES_PER_PARTITION)))

    def bands_stage(self) -> LSHBandsStage:
        """The per-batch stage that computes, before this one, what its MinHash step would."""
        return LSHBandsStage(
            self.id_field, self.text_field, self.hasher, self.minhashes_per_band, keep_text=self.false_positive_check
        )

    def removal_ids(self, frames: Any) -> Any:
        client = client_of(frames)
        edges = self.candidate_edges(frames, client)
        with self.step_log().step("connected_components") as record:
            labels = connected_components(
                edges, self.id_field, client, edges.npartitions, self.shuffle_method, self.max_cc_iterations
            )
            del edges
            removed = labels[labels[NODE_FIELD] != labels[COMPONENT_FIELD]]
            removed = client.persist(
                removed.rename(columns={NODE_FIELD: self.id_field, COMPONENT_FIELD: self.group_field})
            )
            record.rows = int(client.compute(removed.shape[0], sync=True))
        return removed
