"""Connected components of the duplicate graph, computed on the cluster by min-label propagation.

Every document on an edge starts labelled with the smallest id among itself and its neighbours;
each round, a document takes the smallest label among its own and its neighbours' (a merge of the
edge list with the labels, then a groupby-min), then the label of its label (pointer jumping, one
more merge), all Dask dataframe operations on the workers. Labels only decrease, and when a round
changes none, each document holds the smallest id of its component. Only the count of changed
labels comes back to the driver each round; the graph never does. Pointer jumping makes the number
of rounds grow with the logarithm of the longest path rather than its length.
"""

from __future__ import annotations

import logging
from typing import Any

import dask.dataframe as dd

from curator_dask.stages.deduplication.fuzzy.buckets_to_edges import edge_fields

__all__ = ["COMPONENT_FIELD", "NODE_FIELD", "connected_components"]

logger = logging.getLogger(__name__)

NODE_FIELD = "_node"
COMPONENT_FIELD = "_component"
_SRC, _DST, _CAND, _CHANGED = "_src", "_dst", "_candidate", "_changed"


def _both_directions(edges: Any, id_field: str) -> Any:
    x, y = edge_fields(id_field)
    forward = edges[[x, y]].rename(columns={x: _SRC, y: _DST})
    backward = edges[[y, x]].rename(columns={y: _SRC, x: _DST})
    return dd.concat([forward, backward])


def _smallest_neighbour(
    pairs: Any, key: str, value: str, npartitions: int, shuffle_method: str, include_self: bool = False
) -> Any:
    """``[key, _candidate]``: per ``key``, the smallest ``value`` (and the key itself, if asked)."""
    best = pairs.groupby(key).agg({value: "min"}, split_out=npartitions, shuffle_method=shuffle_method)
    best = best.reset_index().rename(columns={value: _CAND})
    if include_self:
        best[_CAND] = best[_CAND].where(best[_CAND] < best[key], best[key])
    return best


def _take_smaller(frame: Any, already_changed: Any = None) -> Any:
    """``[_node, _component, _changed]``: the smaller of ``_component`` and ``_candidate``."""
    changed = frame[_CAND] < frame[COMPONENT_FIELD]
    smaller = frame[COMPONENT_FIELD].where(~changed, frame[_CAND])
    flag = changed if already_changed is None else changed | already_changed
    return frame.assign(**{COMPONENT_FIELD: smaller, _CHANGED: flag})[[NODE_FIELD, COMPONENT_FIELD, _CHANGED]]


def connected_components(
    edges: Any,
    id_field: str,
    client: Any,
    npartitions: int,
    shuffle_method: str = "tasks",
    max_iterations: int = 64,
) -> Any:
    """Label every document of the edge list with the smallest id of its component.

    Args:
        edges: dask dataframe of edges ``[<id>_x, <id>_y]``.
        id_field: the id column the edge columns derive from.
        client: the client to persist each round with.
        npartitions: partitions of the label table.
        shuffle_method: ``"tasks"`` or ``"p2p"``.
        max_iterations: rounds before giving up with a ``RuntimeError``.

    Returns:
        A persisted dask dataframe ``[_node, _component]`` with one row per document on an edge.
    """
    arcs = client.persist(_both_directions(edges, id_field))
    labels = _smallest_neighbour(arcs, _SRC, _DST, npartitions, shuffle_method, include_self=True)
    labels = client.persist(labels.rename(columns={_SRC: NODE_FIELD, _CAND: COMPONENT_FIELD}))
    for round_ in range(1, max_iterations + 1):
        offers = arcs.merge(labels, left_on=_SRC, right_on=NODE_FIELD, shuffle_method=shuffle_method)
        best = _smallest_neighbour(offers, _DST, COMPONENT_FIELD, npartitions, shuffle_method)
        merged = labels.merge(best.rename(columns={_DST: NODE_FIELD}), on=NODE_FIELD, shuffle_method=shuffle_method)
        labels = _take_smaller(merged)
        # Pointer jumping: take the label of one's label, so long chains need O(log length) rounds.
        hops = labels.merge(
            labels.rename(columns={NODE_FIELD: COMPONENT_FIELD, COMPONENT_FIELD: _CAND}).drop(columns=[_CHANGED]),
            on=COMPONENT_FIELD,
            shuffle_method=shuffle_method,
        )
        updated = _take_smaller(hops, already_changed=hops[_CHANGED])
        labels = client.persist(updated)
        n_changed = int(client.compute(labels[_CHANGED].sum(), sync=True))
        logger.debug("connected components: round %d changed %d labels", round_, n_changed)
        labels = labels[[NODE_FIELD, COMPONENT_FIELD]]
        if n_changed == 0:
            return labels
    msg = f"connected components did not converge in {max_iterations} rounds; raise max_iterations"
    raise RuntimeError(msg)
