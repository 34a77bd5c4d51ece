"""The fuzzy workflow's first pass: MinHash and band ids per batch, then the collection stage on ids and bands."""

from __future__ import annotations

import dask.dataframe as dd
import pandas as pd

from curator_dask.examples.corpus import near_duplicates
from curator_dask.stages.deduplication import FuzzyDuplicateIdentification
from curator_dask.stages.deduplication.fuzzy import lsh
from curator_dask.stages.deduplication.fuzzy.lsh import band_column, lsh_bands
from curator_dask.tasks import DocumentBatch
from tests.stages.deduplication.conftest import collection, identify

CORPUS = near_duplicates(120, seed=3, duplicate_share=0.5)[["id", "text"]]
BANDS = [band_column(j) for j in range(20)]


def _batch(df: pd.DataFrame) -> DocumentBatch:
    return DocumentBatch(dataset_name="d", data=df.reset_index(drop=True))


def test_bands_stage_gives_the_collection_stages_bucket_ids_and_keeps_only_bad_texts() -> None:
    stage = FuzzyDuplicateIdentification(id_field="id")
    docs = CORPUS.iloc[:6].astype({"text": object}).reset_index(drop=True)
    docs.loc[2, "text"] = None
    docs.loc[4, "text"] = 42
    out = stage.bands_stage().process(_batch(docs)).to_pandas()
    good = docs.drop(index=[2, 4])
    expected = lsh_bands(good, "id", "text", stage.hasher, 13)
    assert out.drop(index=[2, 4]).reset_index(drop=True)[["id", *BANDS]].equals(expected)
    assert out["text"].tolist() == ["", "", None, "", 42, ""]  # good texts dropped; the check still sees the bad ones
    checked = stage.__class__(id_field="id", false_positive_check=True).bands_stage().process(_batch(good))
    assert checked.to_pandas()["text"].tolist() == good["text"].tolist()  # the Jaccard check needs the texts


def test_lsh_bands_in_slices_equals_one_slice(monkeypatch) -> None:
    hasher = FuzzyDuplicateIdentification().hasher
    whole = lsh_bands(CORPUS, "id", "text", hasher, 13)
    monkeypatch.setattr(lsh, "ROWS_PER_CHUNK", 7)  # 120 rows: 18 slices, the last one short
    assert lsh_bands(CORPUS, "id", "text", hasher, 13).equals(whole)
    assert len(lsh_bands(CORPUS.iloc[:0], "id", "text", hasher, 13)) == 0


def test_identification_from_band_ids_equals_identification_from_texts(client) -> None:
    stage = FuzzyDuplicateIdentification(id_field="id", bands_per_iteration=7)
    from_texts, metrics = identify(stage, collection(CORPUS, 3, "pandas"))
    batches = [stage.bands_stage().process(_batch(part)).to_pandas() for part in (CORPUS.iloc[k::5] for k in range(5))]
    frames = dd.from_pandas(pd.concat(batches, ignore_index=True), npartitions=5, sort=False)
    from_bands, band_metrics = identify(FuzzyDuplicateIdentification(id_field="id", bands_per_iteration=7), frames)
    assert len(from_texts) > 10
    assert (
        from_bands.sort_values("id").reset_index(drop=True).equals(from_texts.sort_values("id").reset_index(drop=True))
    )
    assert "step_minhash_s" in metrics and "step_minhash_s" not in band_metrics  # MinHash ran before, per batch
    assert band_metrics["step_connected_components_rows"] == len(from_bands)


def test_shuffle_partitions_follow_the_rows_not_the_files(client) -> None:
    frames = collection(CORPUS, 12, "pandas")  # 12 partitions of 10 documents
    assert FuzzyDuplicateIdentification(id_field="id").nparts(frames) == 2
    assert FuzzyDuplicateIdentification(id_field="id", total_nparts=5).nparts(frames) == 5
    assert FuzzyDuplicateIdentification(id_field="id").nparts(collection(CORPUS, 1, "pandas")) == 1
