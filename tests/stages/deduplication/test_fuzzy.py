"""Fuzzy deduplication against exact Jaccard by brute force on a corpus with planted near-duplicates."""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from curator_dask.backends.dask import DaskExecutor
from curator_dask.examples.corpus import near_duplicates, write_parquet
from curator_dask.stages.deduplication import FuzzyDeduplicationWorkflow, FuzzyDuplicateIdentification
from curator_dask.stages.deduplication.fuzzy.connected_components import connected_components
from curator_dask.stages.deduplication.fuzzy.lsh import lsh_bands, lsh_edges
from curator_dask.stages.deduplication.fuzzy.minhash import MinHasher
from tests.stages.deduplication.conftest import collection, host, identify, read_jsonl

CORPUS = near_duplicates(240, seed=1, duplicate_share=0.4)
ONE_SHUFFLE = {"id_field": "id", "bands_per_iteration": 20}  # fewer round trips on a tiny corpus


def exact_jaccard(corpus: pd.DataFrame, k: int = 24) -> pd.DataFrame:
    """Jaccard of every pair of documents sharing a shingle (all others are 0), by brute force."""
    sets = corpus[["id"]].assign(
        shingle=[sorted({t[i : i + k] for i in range(max(1, len(t) - k + 1))}) for t in corpus["text"]]
    )
    long = sets.explode("shingle")
    sizes = long.groupby("id").size()
    pairs = long.merge(long, on="shingle").query("id_x < id_y").groupby(["id_x", "id_y"]).size()
    pairs = pairs.rename("inter").reset_index()
    union = sizes[pairs["id_x"]].to_numpy() + sizes[pairs["id_y"]].to_numpy() - pairs["inter"].to_numpy()
    return pairs.assign(jaccard=pairs["inter"] / union)


TRUTH = exact_jaccard(CORPUS)


def _groups(removal: pd.DataFrame) -> dict[str, str]:
    group = dict(zip(removal["id"], removal["_duplicate_group_id"], strict=True))
    return group | {g: g for g in set(group.values())}


def _same_group(group: dict[str, str], pairs: pd.DataFrame) -> list[bool]:
    ids = zip(pairs["id_x"], pairs["id_y"], strict=True)
    return [group.get(x) is not None and group.get(x) == group.get(y) for x, y in ids]


def _best_in_group(removal: pd.DataFrame) -> pd.Series:
    """Per removed document, its highest true Jaccard with another document of its group."""
    group = _groups(removal)
    same = TRUTH[_same_group(group, TRUTH)]
    both = pd.concat([same.rename(columns={"id_x": "id"}), same.rename(columns={"id_y": "id"})])
    return both.groupby("id")["jaccard"].max().reindex(removal["id"], fill_value=0.0)


@pytest.fixture(scope="module")
def reference(client) -> pd.DataFrame:
    removal, _ = identify(
        FuzzyDuplicateIdentification(**ONE_SHUFFLE), collection(CORPUS.iloc[:80][["id", "text"]], 2, "pandas")
    )
    return removal.sort_values("id").reset_index(drop=True)


def test_finds_near_duplicates_and_removes_few_dissimilar_documents(client, backend) -> None:
    stage = FuzzyDuplicateIdentification(id_field="id", bands_per_iteration=10)  # 20 bands x 13: threshold ~0.8
    removal, metrics = identify(stage, collection(CORPUS[["id", "text"]], 4, backend))
    group = _groups(removal)
    similar = TRUTH[TRUTH["jaccard"] >= 0.85]
    found = _same_group(group, similar)
    assert len(similar) > 50 and np.mean(found) >= 0.95
    assert (_best_in_group(removal) < 0.7).mean() <= 0.05
    assert metrics["documents_removed"] == len(removal)
    assert metrics["duplicate_groups"] == removal["_duplicate_group_id"].nunique()
    assert all(removal["id"] > removal["_duplicate_group_id"])  # the smallest id of a group is kept


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_results_do_not_depend_on_partitioning(client, backend, npartitions, reference) -> None:
    corpus = CORPUS.iloc[:80].sample(frac=1, random_state=npartitions)[["id", "text"]]
    stage = FuzzyDuplicateIdentification(id_field="id", bands_per_iteration=7, total_nparts=npartitions)
    removal, _ = identify(stage, collection(corpus, npartitions, backend))
    assert len(reference) > 5
    assert removal.sort_values("id").reset_index(drop=True).equals(reference)


def test_false_positive_check_drops_dissimilar_candidates(client) -> None:
    loose = {**ONE_SHUFFLE, "minhashes_per_band": 3}  # many false candidates
    frames = collection(CORPUS.iloc[:60][["id", "text"]], 2, "pandas")
    unchecked, _ = identify(FuzzyDuplicateIdentification(**loose), frames)
    checked, _ = identify(FuzzyDuplicateIdentification(**loose, false_positive_check=True), frames)
    assert len(checked) < len(unchecked)
    assert (_best_in_group(unchecked) < 0.8).any()
    assert (_best_in_group(checked) >= 0.8).all()  # every removed document has an edge that passed


def test_lsh_shuffle_preserves_rows_and_buckets_give_candidate_pairs(client) -> None:
    frames = collection(CORPUS.iloc[:80][["id", "text"]], 3, "pandas")
    hasher = MinHasher(num_hashes=20 * 13, seed=42)
    bands = frames.map_partitions(
        lsh_bands, "id", "text", hasher, 13, meta=lsh_bands(CORPUS.iloc[:0], "id", "text", hasher, 13)
    )
    assert len(bands) == 80
    long = bands.map_partitions(
        lambda df: df.melt(id_vars="id"), meta={"id": "str", "variable": "str", "value": "uint64"}
    )
    assert len(long.shuffle(on="value", npartitions=5, shuffle_method="tasks")) == 80 * 20
    edges = host(lsh_edges(bands, "id", range(20), 4, "tasks").compute())
    assert (edges["id_x"] < edges["id_y"]).all() and len(edges.drop_duplicates()) > 10


def test_connected_components_of_a_long_chain(client) -> None:
    chain = pd.DataFrame({"id_x": [f"n{i:02d}" for i in range(12)], "id_y": [f"n{i + 1:02d}" for i in range(12)]})
    other = pd.DataFrame({"id_x": ["m1", "m3"], "id_y": ["m2", "m2"]})
    edges = dd.from_pandas(pd.concat([chain.iloc[::-1], other]), npartitions=3)
    labels = host(connected_components(edges, "id", client, npartitions=2).compute())
    assert len(labels) == 13 + 3
    assert dict(zip(labels["_node"], labels["_component"], strict=True)) == {
        **{f"n{i:02d}": "n00" for i in range(13)},
        **{m: "m1" for m in ("m1", "m2", "m3")},
    }


def test_workflow_writes_deduplicated_files_and_a_report(client, tmp_path) -> None:
    src = tmp_path / "in"
    write_parquet(src, CORPUS.iloc[:100], num_files=4)
    workflow = FuzzyDeduplicationWorkflow(
        output_path=str(tmp_path / "out"),
        input_path=str(src),
        id_field="id",
        output_filetype="jsonl",
        bands_per_iteration=20,
    )
    report = workflow.run(DaskExecutor(client=client))
    rows = read_jsonl(report.output_files)
    assert report.documents_in == 100 and len(rows) == report.documents_out
    assert 0 < report.duplicate_groups < report.documents_removed < 100
    assert len({r["id"] for r in rows}) == len(rows)
    assert (report.workflow_name, list(report.pipeline_tasks)) == ("fuzzy_deduplication", ["removal"])
    assert report.get_metadata("num_duplicates") == report.documents_removed
