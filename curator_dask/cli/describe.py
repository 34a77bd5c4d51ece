"""``curator-dask describe``: what a pipeline file would run, grouped as the executor fuses it.

Consecutive stages with the same resources run as one Dask task per partition (a fused chain),
so they are printed as one block: their names, resources and batch size once, then the
thresholds of each filter in the chain (``WordCountFilter(min_words=50, max_words=100000)``).
The input files are listed and counted here, so a path that does not exist fails before
anything starts. ``--stages`` prints NeMo Curator's per-stage ``Pipeline.describe()`` instead.
"""

from __future__ import annotations

import argparse
import inspect
import textwrap
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curator_dask.cli.preflight import InputFiles
    from curator_dask.core import ClusterSpec

__all__ = ["describe", "filter_arguments"]


def filter_arguments(obj: Any, given: dict[str, Any] | None = None) -> str:
    """``WordCountFilter(min_words=50, max_words=100000)``: a filter and its constructor's values.

    Args:
        obj: the filter.
        given: the arguments the YAML built it with (``None`` when not built from a file). With
            them every argument is known: as given, else its default. Without them a value is
            read from the attribute of the argument's name (or ``_name``), and arguments kept
            under another name are left out rather than shown with a guessed value.
    """
    try:
        parameters = inspect.signature(type(obj)).parameters.values()
    except (TypeError, ValueError):
        return type(obj).__name__
    shown = []
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if given is not None and p.name in given:
            shown.append(f"{p.name}={_short(given[p.name])}")
            continue
        found = [vars(obj)[a] for a in (p.name, f"_{p.name}") if a in vars(obj) and not callable(vars(obj)[a])]
        if found:
            shown.append(f"{p.name}={_short(found[0])}")
        elif given is not None and p.default is not p.empty:
            shown.append(f"{p.name}={_short(p.default)}")
    return f"{type(obj).__name__}({', '.join(shown)})"


def _given_filters(config: Any) -> dict[int, list[dict[str, Any] | None]]:
    """``{id(stage): [the YAML arguments of each of its filters]}`` for the file's filter stages."""
    given: dict[int, list[dict[str, Any] | None]] = {}
    for stage, entry in zip(config.stages, config.entries, strict=False):
        written = entry.get("filter_obj")
        written = written if isinstance(written, list) else [written]
        given[id(stage)] = [
            {k: v for k, v in w.items() if k != "_target_"} if isinstance(w, dict) else None for w in written
        ]
    return given


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _chains(stages: list[Any]) -> list[list[Any]]:
    """``stages`` cut where the executor's fusion plan starts a new chain."""
    from curator_dask.backends.dask.plan import plan_chains, profile_stages
    from curator_dask.stages.base import ProcessingStage

    plans = plan_chains(profile_stages(stages, [ProcessingStage] * len(stages)))
    chains, start = [], 0
    while start < len(stages):
        stop = plans[start].stop
        chains.append(stages[start:stop])
        start = stop
    return chains


def _chain_lines(number: int, chain: list[Any], given: dict[int, list[dict[str, Any] | None]]) -> list[str]:
    resources = chain[0].resources  # a chain's stages share their Dask resources (the GPU share)
    where = f"{resources.gpus:g} GPU per task" if resources.requires_gpu else "CPU"
    from curator_dask.stages.collection import CollectionStage

    if isinstance(chain[0], CollectionStage):
        batches = "the whole collection at once (a shuffle)"
    else:
        batches = "batch size " + "/".join(sorted({str(s.batch_size or 1) for s in chain}))
    head = f"Chain {number}: {len(chain)} stage{'s' * (len(chain) != 1)}, {where}, {batches}"
    names = " -> ".join(s.name for s in chain)
    lines = [head, textwrap.fill(names, width=100, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)]
    for stage in chain:
        filters = getattr(stage, "filter_obj", None)
        objects = filters if isinstance(filters, list) else [filters] if filters is not None else []
        written = given.get(id(stage), [])
        for j, obj in enumerate(objects):
            lines.append(f"    {stage.name}: {filter_arguments(obj, written[j] if j < len(written) else None)}")
    return lines


def describe(config: Any, spec: ClusterSpec, inputs: list[InputFiles], args: argparse.Namespace) -> None:
    """Print what ``config`` would run on ``spec`` (see the module docstring)."""
    pipeline = config.pipeline()
    stages = pipeline.build()
    if config.workflow is not None:
        print(f"Workflow: {type(config.workflow).__module__}.{type(config.workflow).__name__}")
    if args.stages:
        print(pipeline.describe())
    else:
        chains, given = _chains(stages), _given_filters(config)
        plural = "s" * (len(chains) != 1)
        print(f"Pipeline: {pipeline.name} ({len(stages)} stages in {len(chains)} fused chain{plural})")
        for found in inputs:
            print(f"Input ({found.stage}): {found.summary()}")
        for number, chain in enumerate(chains, 1):
            print()
            print("\n".join(_chain_lines(number, chain, given)))
    print(f"\nCluster: {_non_default(spec)}")
    print(f"Executor config: {config.executor or '(defaults)'}")
    print(f"Run report: {config.report_dir or '(printed only)'}")


def _non_default(spec: ClusterSpec) -> str:
    changed: dict[str, Any] = {
        f.name: getattr(spec, f.name)
        for f in fields(spec)
        if f.name != "kind" and getattr(spec, f.name) != getattr(type(spec)(), f.name)
    }
    return f"{spec.kind} {changed}" if changed else spec.kind
