"""The ``curator-dask`` command line."""
