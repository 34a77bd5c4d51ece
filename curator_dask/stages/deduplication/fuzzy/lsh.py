"""Locality-sensitive hashing: signatures -> one bucket id per band -> shuffles on bucket ids.

A band is ``minhashes_per_band`` consecutive signature values; two documents share a band's
bucket when all of those values agree, which happens with probability ``J ** minhashes_per_band``
for Jaccard similarity ``J``. Bucket ids are a 64-bit mix of the band's values and the band's
index, so buckets of different bands never meet. Bands go through the shuffle
``bands_per_iteration`` at a time: fewer per shuffle bounds memory, more means fewer shuffles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curator_dask.stages.deduplication.fuzzy.buckets_to_edges import BUCKET_FIELD, edges_from_buckets, edges_meta
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher, fmix64
from curator_dask.tasks.frames import array_module, concat_frames, empty_frame, frame_from_arrays

__all__ = [
    "CURATOR_LSH_BUCKET_FIELD",
    "band_bucket_ids",
    "band_column",
    "buckets_edges",
    "lsh_bands",
    "lsh_buckets",
    "lsh_edges",
]

CURATOR_LSH_BUCKET_FIELD = BUCKET_FIELD
ROWS_PER_CHUNK = 2048  # documents hashed at once: their signatures take 2 MiB (260 values of 4 bytes each)


def band_column(band: int) -> str:
    """Name of a band's bucket id column in ``lsh_bands`` output (``_band_0`` ...)."""
    return f"_band_{band}"


def band_bucket_ids(signatures: Any, num_bands: int, minhashes_per_band: int) -> Any:
    """``(n, num_bands)`` uint64 bucket ids of ``(n, num_bands * minhashes_per_band)`` signatures."""
    xp = array_module(signatures)
    sig = signatures.astype(xp.uint64)
    out = xp.empty((sig.shape[0], num_bands), dtype=xp.uint64)
    for band in range(num_bands):
        h = xp.full(sig.shape[0], 0x9E3779B97F4A7C15 * (band + 1) % (1 << 64), dtype=xp.uint64)
        for col in range(band * minhashes_per_band, (band + 1) * minhashes_per_band):
            h = fmix64(h ^ sig[:, col])
        out[:, band] = h
    return out


def lsh_bands(df: Any, id_field: str, text_field: str, hasher: MinHasher, minhashes_per_band: int) -> Any:
    """One partition's ``[id_field, _band_0, ...]``: MinHash then band bucket ids (signatures dropped)."""
    num_bands = hasher.num_hashes // minhashes_per_band
    texts = df[text_field]
    # a slice of rows at a time: the signatures (and the texts as Python strings) of one slice are
    # alive at once, however many documents the partition holds
    chunks = [
        band_bucket_ids(hasher.signatures(texts.iloc[lo : lo + ROWS_PER_CHUNK]), num_bands, minhashes_per_band)
        for lo in range(0, max(len(texts), 1), ROWS_PER_CHUNK)
    ]
    buckets = chunks[0] if len(chunks) == 1 else array_module(chunks[0]).concatenate(chunks)
    columns = {id_field: df[id_field]}
    columns.update({band_column(j): buckets[:, j] for j in range(num_bands)})
    return frame_from_arrays(df, columns)


def _melt(df: Any, id_field: str, bands: Sequence[int]) -> Any:
    """Long form ``[id_field, _bucket_id]`` of the given bands of a ``lsh_bands`` partition."""
    parts = [df[[id_field, band_column(j)]].rename(columns={band_column(j): BUCKET_FIELD}) for j in bands]
    return concat_frames(parts)


def lsh_buckets(bands_frame: Any, id_field: str, bands: Sequence[int], npartitions: int, shuffle_method: str) -> Any:
    """``[id_field, _bucket_id]`` of ``bands`` of a ``lsh_bands`` collection, shuffled on the bucket id.

    Only ids and bucket ids travel; after the shuffle, each bucket's members share a partition.
    """
    meta = bands_frame._meta
    long = bands_frame.map_partitions(
        _melt,
        id_field,
        list(bands),
        meta=empty_frame(meta, {id_field: id_field, BUCKET_FIELD: "uint64"}),
    )
    return long.shuffle(on=BUCKET_FIELD, npartitions=npartitions, shuffle_method=shuffle_method)


def buckets_edges(buckets: Any, id_field: str, all_pairs: bool = False) -> Any:
    """Candidate pairs of each partition of a ``lsh_buckets`` collection (see ``edges_from_buckets``)."""
    return buckets.map_partitions(edges_from_buckets, id_field, all_pairs, meta=edges_meta(buckets._meta, id_field))


def lsh_edges(
    bands_frame: Any,
    id_field: str,
    bands: Sequence[int],
    npartitions: int,
    shuffle_method: str,
    all_pairs: bool = False,
) -> Any:
    """Candidate duplicate pairs from one shuffle of ``bands`` of a ``lsh_bands`` collection.

    Args:
        bands_frame: the dask collection ``lsh_bands`` made.
        id_field: the id column.
        bands: which bands go through this shuffle.
        npartitions: partitions to shuffle into.
        shuffle_method: ``"tasks"`` or ``"p2p"``.
        all_pairs: every pair in a bucket (for the Jaccard check) instead of a star per bucket.
    """
    return buckets_edges(lsh_buckets(bands_frame, id_field, bands, npartitions, shuffle_method), id_field, all_pairs)
