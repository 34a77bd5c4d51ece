"""Checking and loading a fastText model file, with errors that name the file, the node and the fix.

fastText's own loader trusts its input: a file cut short inside its dictionary (a copy or a
download that stopped part way) makes it read past the end forever, growing without bound, and one
cut inside its matrices loads as a silently wrong model. So before fastText sees a file, its header
is read here and the sizes it announces are checked against the file's length.

The binary layout (fastText 0.9, ``FastText::saveModel``): magic and version (two int32), the
arguments (twelve int32 and a double), the dictionary header (three int32 and two int64), the
dictionary entries (a NUL-terminated word, an int64 count and an int8 type each), pruning pairs,
then the input and the output matrix, each a quantised flag (one byte) then, when dense, rows and
columns (two int64) and ``rows * columns`` float32; when quantised (``.ftz``), codes and product
quantizers (``QuantMatrix::save``).
"""

from __future__ import annotations

import mmap
import socket
import struct
from pathlib import Path
from typing import Any

from curator_dask.errors import ConfigError, ModelNotFoundError

__all__ = ["check_model_file", "load_supervised_model", "where_to_put_it"]

_MAGIC = 793712314  # FASTTEXT_FILEFORMAT_MAGIC_INT32
_HEAD = struct.Struct(
    "<ii12id"
)  # magic, version, dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate, t
_DICT = struct.Struct("<iiiqq")  # size, nwords, nlabels, ntokens, pruneidx_size
_MATRIX = struct.Struct("<?qq")  # quantised flag, rows, columns
_DENSE = struct.Struct("<qq")  # rows, columns; then rows * columns float32
_QUANT = struct.Struct("<?qqi")  # qnorm, rows, columns, codesize; then codesize bytes and a quantizer
_PQ = struct.Struct("<iiii")  # a product quantizer: dim, nsubq, dsub, lastdsub
_SUPERVISED = 3  # fastText's model_name::sup
_ENTRY_TAIL = 9  # an entry's int64 count and int8 type, after its NUL-terminated word


def where_to_put_it() -> str:
    """The fix every model-file error ends with."""
    return (
        "Pass model_path= the path of a supervised fastText model (.bin or .ftz) that every worker node can "
        "read: a shared filesystem path, or the same path with the file copied to each node"
    )


def _dense_tail_fits(mm: mmap.mmap, dim: int, input_rows: int, output_rows: int) -> bool:
    """Whether the file ends with a dense input and output matrix of exactly the announced shapes."""
    output = _MATRIX.size + output_rows * dim * 4
    start = len(mm) - output - _MATRIX.size - input_rows * dim * 4
    if start < _HEAD.size + _DICT.size:
        return False
    found = [_MATRIX.unpack_from(mm, start), _MATRIX.unpack_from(mm, len(mm) - output)]
    return found == [(False, input_rows, dim), (False, output_rows, dim)]


def _dictionary_ends(mm: mmap.mmap, size: int, pruned: int) -> int:
    """Where the dictionary (and its pruning pairs) ends, walking its entries."""
    pos = _HEAD.size + _DICT.size
    for _ in range(size):
        nul = mm.find(b"\0", pos)
        if nul < 0:
            raise IndexError("the file ends inside the dictionary")
        pos = nul + 1 + _ENTRY_TAIL
    return pos + max(pruned, 0) * 8


def _quantizer_ends(mm: mmap.mmap, pos: int) -> int:
    dim = _PQ.unpack_from(mm, pos)[0]  # dim, nsubq, dsub, lastdsub; then 256 centroids of dim float32
    return pos + _PQ.size + dim * 256 * 4


def _matrix_ends(mm: mmap.mmap, pos: int, quantised: bool) -> int:
    """Where the matrix starting at ``pos`` (after its quantised flag) ends."""
    if not quantised:
        rows, columns = _DENSE.unpack_from(mm, pos)
        return pos + _DENSE.size + rows * columns * 4
    qnorm, rows, _, codesize = _QUANT.unpack_from(mm, pos)
    pos = _quantizer_ends(mm, pos + _QUANT.size + codesize)
    return _quantizer_ends(mm, pos + rows) if qnorm else pos  # norm codes (one byte a row), their quantizer


def _walk_ends_at_file_end(mm: mmap.mmap, size: int, pruned: int) -> bool:
    """Whether walking the whole layout (dictionary, then both matrices) ends exactly at the file's end."""
    try:
        pos = _dictionary_ends(mm, size, pruned)
        quantised = bool(mm[pos])
        pos = _matrix_ends(mm, pos + 1, quantised)
        pos = _matrix_ends(mm, pos + 1, quantised and bool(mm[pos]))  # the output is quantised only with qout
    except (IndexError, struct.error):
        return False
    return pos == len(mm)


def _check_complete(owner: str, where: str, path: Path) -> None:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if len(mm) < _HEAD.size + _DICT.size:
            raise _incomplete(owner, where, len(mm))
        head = _HEAD.unpack_from(mm, 0)
        dim, model, bucket = head[2], head[9], head[10]
        size, nwords, nlabels, _, pruned = _DICT.unpack_from(mm, _HEAD.size)
        if min(dim, size, nwords, nlabels, bucket) < 0 or nwords + nlabels != size:
            raise _incomplete(owner, where, len(mm))
        output_rows = nlabels if model == _SUPERVISED else nwords
        # A dense model is checked from its end alone; a quantised one (.ftz) by walking its layout.
        if not _dense_tail_fits(mm, dim, nwords + bucket, output_rows) and not _walk_ends_at_file_end(mm, size, pruned):
            raise _incomplete(owner, where, len(mm))


def _incomplete(owner: str, where: str, length: int) -> ConfigError:
    return ConfigError(
        f"{owner}: fastText model file {where} is incomplete or damaged ({length} bytes, fewer or other than its "
        "header announces), as a copy or download that stopped part way leaves it; fastText would hang "
        f"reading it. Copy the model file again. {where_to_put_it()}."
    )


def check_model_file(owner: str, model_path: str) -> None:
    """Fail, on this node, unless ``model_path`` is a complete fastText model file.

    Raises:
        ModelNotFoundError: no file at that path on this node.
        ConfigError: a file that cannot be read, is not a fastText model, or is cut short.
    """
    path = Path(model_path)
    where = f"{str(path.absolute())!r} on node {socket.gethostname()!r}"
    if not path.is_file():
        what = "is a directory, not a model file" if path.is_dir() else "not found"
        msg = f"{owner}: fastText model file {model_path!r} {what} (looked at {where}). {where_to_put_it()}."
        raise ModelNotFoundError(msg)
    try:
        with path.open("rb") as f:
            head = f.read(4)
        if len(head) == 4 and int.from_bytes(head, "little") == _MAGIC:
            _check_complete(owner, where, path)
            return
    except OSError as e:
        raise ConfigError(f"{owner}: fastText model file {where} cannot be read ({e}). {where_to_put_it()}.") from e
    msg = (
        f"{owner}: {where} is not a fastText model: it lacks the fastText file header (word vectors in "
        f".vec text, a compressed file or an HTML error page have none). {where_to_put_it()}."
    )
    raise ConfigError(msg)


def load_supervised_model(owner: str, model_path: str) -> Any:
    """The fastText classifier at ``model_path``, checked first (fastText is imported here only)."""
    check_model_file(owner, model_path)
    import fasttext

    try:
        model = fasttext.load_model(model_path)
    except ValueError as e:  # a version fastText does not read
        raise ConfigError(f"{owner}: fastText cannot load {model_path!r}: {e}. {where_to_put_it()}.") from e
    kind = model.f.getArgs().model.name
    if kind != "supervised":
        msg = (
            f"{owner}: {model_path!r} is a fastText word-vector model ({kind}), which cannot classify. "
            "Pass model_path= a classifier trained with fasttext.train_supervised (such as lid.176.bin)."
        )
        raise ConfigError(msg)
    return model
