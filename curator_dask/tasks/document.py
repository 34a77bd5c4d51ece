"""``DocumentBatch``: a table of documents (pandas, pyarrow, or cudf on GPU workers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from curator_dask.tasks.frames import is_cudf_frame
from curator_dask.tasks.tasks import Task

__all__ = ["DocumentBatch"]


@dataclass(repr=False)  # keep Task.__repr__: a short line, never the payload
class DocumentBatch(Task[Any]):
    """A batch of documents, one row each. An empty batch is valid and flows on."""

    data: Any = field(default_factory=pd.DataFrame)

    @property
    def num_items(self) -> int:
        return len(self.data)

    def validate(self) -> bool:
        if isinstance(self.data, pd.DataFrame | pa.Table) or is_cudf_frame(self.data):
            return True
        msg = (
            f"DocumentBatch data must be a pandas DataFrame, a pyarrow Table or a cudf DataFrame; "
            f"got {type(self.data).__name__} (dataset {self.dataset_name!r})"
        )
        raise TypeError(msg)

    def to_pandas(self) -> pd.DataFrame:
        if isinstance(self.data, pd.DataFrame):
            return self.data
        if isinstance(self.data, pa.Table):
            return self.data.to_pandas()
        return self.data.to_pandas()  # cudf

    def to_pyarrow(self) -> pa.Table:
        if isinstance(self.data, pa.Table):
            return self.data
        if isinstance(self.data, pd.DataFrame):
            return pa.Table.from_pandas(self.data, preserve_index=False)
        return self.data.to_arrow()  # cudf

    def get_columns(self) -> list[str]:
        if isinstance(self.data, pa.Table):
            return list(self.data.column_names)
        return [str(c) for c in self.data.columns]
