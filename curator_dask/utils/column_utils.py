"""Column-name options shared by readers."""

from __future__ import annotations

from curator_dask.errors import ConfigError

__all__ = ["DEFAULT_FILENAME_COLUMN", "resolve_filename_column"]

DEFAULT_FILENAME_COLUMN = "file_name"


def resolve_filename_column(add_filename_column: bool | str) -> str | None:
    """The column a reader writes each record's source file name to, or ``None`` for no column.

    Args:
        add_filename_column: ``True`` for ``"file_name"``, ``False`` for none, or the column's name.

    Raises:
        ConfigError: anything else (also a ``ValueError``, as NeMo Curator raises).
    """
    if add_filename_column is True:
        return DEFAULT_FILENAME_COLUMN
    if add_filename_column is False:
        return None
    if isinstance(add_filename_column, str):
        return add_filename_column
    msg = (
        f"Invalid value for add_filename_column: {add_filename_column!r}. Allowed: True (column "
        f"{DEFAULT_FILENAME_COLUMN!r}), False (no column) or a column name."
    )
    raise ConfigError(msg)
