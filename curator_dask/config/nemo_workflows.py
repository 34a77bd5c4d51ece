"""NeMo Curator's deduplication workflow arguments, read for curator_dask's workflows.

NeMo Curator's own ``exact_deduplication_pipeline.yaml`` and ``fuzzy_deduplication_pipeline.yaml``
pass arguments that only make sense on its Ray/RAPIDS backend: a ``cache_path`` for intermediates
(Dask's shuffle keeps them in worker memory and spills to each worker's local directory), RMM and
spill settings per stage (here they are cluster settings), ``env_vars`` for Ray's runtime
environment. ``nemo_workflow_arguments`` turns such a mapping into the arguments our workflow
takes: a value that asks for what we do anyway (``assign_id: true`` with no ``id_field``,
``env_vars: null``) is dropped; one that we cannot honour but that does not change the result
(``cache_path``, an RMM pool size) is dropped with a warning that says where the setting lives
here; one that would change the result (``normalize_text: true``) is a ``ConfigError`` with the fix.
Nothing a user set disappears without a word.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from curator_dask.errors import ConfigError

__all__ = ["nemo_workflow_arguments"]

logger = logging.getLogger(__name__)

_SHUFFLE = "Dask's shuffle keeps intermediates in worker memory and spills to each worker's --local-directory"
_GPU_MEMORY = "GPU memory is set per cluster here: cluster.rmm_pool_size=... and cluster.enable_cudf_spill=true"
# name -> (value that asks for nothing, why it is not an argument here)
_DROPPED: dict[str, tuple[Any, str]] = {
    "cache_path": (None, _SHUFFLE),
    "cache_kwargs": (None, _SHUFFLE),
    "rmm_pool_size": ("auto", _GPU_MEMORY),
    "spill_memory_limit": ("auto", _GPU_MEMORY),
    "lsh_rmm_pool_size": ("auto", _GPU_MEMORY),
    "lsh_spill_memory_limit": ("auto", _GPU_MEMORY),
    "use_async_memory": (True, _GPU_MEMORY),
    "identification_batchsize": (1, "the identification stage reads its whole input as one Dask collection"),
}
_ENV_FIX = (
    "export the variables in the environment the workers start in (curator-dask slurm --setup "
    "'export NAME=value', or the shell that starts `curator-dask cluster`)"
)
# name -> (value that asks for nothing, the fix for any other value)
_REFUSED: dict[str, tuple[Any, str]] = {
    "normalize_text": (False, "hashing normalized text is not implemented; drop normalize_text or set it to false"),
    "use_64_bit_hash": (False, "MinHash uses 32-bit hashes here; drop use_64_bit_hash or set it to false"),
    "env_vars": (None, _ENV_FIX),
    "input_file_extensions": (None, "match the files with a glob instead: input_path='/data/*.jsonl'"),
}


def _assign_id(arguments: dict[str, Any], where: str) -> None:
    assign = arguments.pop("assign_id")
    if assign and arguments.get("id_field") is not None:
        msg = (
            f"{where}: assign_id=true numbers the documents itself, but id_field={arguments['id_field']!r} is set; "
            "drop id_field (id_field=null) or set assign_id=false to use your ids"
        )
        raise ConfigError(msg)
    if not assign and arguments.get("id_field") is None:
        msg = f"{where}: assign_id=false needs the column of your unique ids: pass id_field=<that column>"
        raise ConfigError(msg)


def _partitions(arguments: dict[str, Any], where: str) -> None:
    value = arguments.pop("lsh_num_output_partitions")
    if value is not None:
        arguments.setdefault("total_nparts", value)  # the shuffle's partitions, as NeMo's LSH output


_SPECIAL: dict[str, Callable[[dict[str, Any], str], None]] = {
    "assign_id": _assign_id,
    "lsh_num_output_partitions": _partitions,
}


def _accepted(cls: type) -> set[str]:
    names = set(inspect.signature(cls).parameters)
    stage_arguments = getattr(cls, "stage_arguments", None)
    return names | set(stage_arguments()) if callable(stage_arguments) else names


def nemo_workflow_arguments(cls: type, arguments: dict[str, Any], where: str) -> dict[str, Any]:
    """``arguments`` for ``cls`` with NeMo Curator's Ray-only workflow arguments dealt with.

    Only names ``cls`` does not accept are looked at; everything else is passed on as given, so an
    unknown name still reaches the workflow, which names it in its error.

    Args:
        cls: the workflow class the ``_target_`` named.
        arguments: its arguments from the YAML (interpolated).
        where: the file and section, for messages.

    Raises:
        ConfigError: for a NeMo argument whose value would change the result here, with the fix.
    """
    accepted = _accepted(cls)
    result = dict(arguments)
    for name in [n for n in arguments if n not in accepted]:
        if name in _SPECIAL:
            _SPECIAL[name](result, where)
        elif name in _DROPPED:
            neutral, reason = _DROPPED[name]
            value = result.pop(name)
            if value != neutral:
                logger.warning("%s: %s=%r is not used: %s", where, name, value, reason)
        elif name in _REFUSED:
            neutral, fix = _REFUSED[name]
            value = result.pop(name)
            if value != neutral:
                raise ConfigError(f"{where}: {name}={value!r} is NeMo Curator's and is not supported here; {fix}")
    return result
