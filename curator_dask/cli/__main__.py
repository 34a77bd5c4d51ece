"""``python -m curator_dask.cli``: the ``curator-dask`` command without the entry-point script."""

from __future__ import annotations

import sys

from curator_dask.cli.main import main

sys.exit(main())
