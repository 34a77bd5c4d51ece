"""``ExactDuplicateIdentification``: documents whose text is byte-for-byte the same."""

from __future__ import annotations

from typing import Any

from curator_dask.stages.deduplication._frames import md5_hex
from curator_dask.stages.deduplication.identification import DuplicateIdentificationStage
from curator_dask.tasks.frames import empty_frame, frame_from_arrays

__all__ = ["EXACT_DUPLICATE_GROUP_FIELD", "ExactDuplicateIdentification", "hash_documents", "within_group_duplicates"]

EXACT_DUPLICATE_GROUP_FIELD = "_exact_duplicate_group"
_HASH = "_hashes"


def hash_documents(df: Any, id_field: str, text_field: str) -> Any:
    """One partition's ``[id_field, _hashes]``: the md5 hex digest of each text (the text is dropped)."""
    return frame_from_arrays(df, {id_field: df[id_field], _HASH: md5_hex(df[text_field])})


def within_group_duplicates(df: Any, id_field: str, key: str, group_field: str) -> Any:
    """Rows of a partition (holding whole ``key`` groups) other than each group's smallest id.

    Returns ``[id_field, group_field]`` sorted by id, ``group_field`` holding the group's key.
    """
    ordered = df.sort_values([key, id_field])
    dupes = ordered[ordered[key].duplicated(keep="first")]
    out = frame_from_arrays(df, {id_field: dupes[id_field], group_field: dupes[key]})
    return out.sort_values(id_field).reset_index(drop=True)


class ExactDuplicateIdentification(DuplicateIdentificationStage):
    """Finds exact duplicates: hash each text, shuffle on the hash, keep the smallest id per hash.

    Only ``[id, md5]`` pairs go through the shuffle, never the texts. The output (without
    removal) has one row per document to remove: its id and ``_exact_duplicate_group``, the md5
    hex digest shared by the group. See ``DuplicateIdentificationStage`` for the arguments.
    """

    name = "exact_duplicate_identification"
    group_field = EXACT_DUPLICATE_GROUP_FIELD

    def removal_ids(self, frames: Any) -> Any:
        meta = frames._meta
        hashed = frames.map_partitions(
            hash_documents,
            self.id_field,
            self.text_field,
            meta=empty_frame(meta, {self.id_field: self.id_field, _HASH: "str"}),
        )
        shuffled = hashed.shuffle(on=_HASH, npartitions=self.nparts(frames), shuffle_method=self.shuffle_method)
        return shuffled.map_partitions(
            within_group_duplicates,
            self.id_field,
            _HASH,
            self.group_field,
            meta=empty_frame(meta, {self.id_field: self.id_field, self.group_field: "str"}),
        )
