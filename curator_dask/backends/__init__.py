"""Executors. ``curator_dask.backends.dask`` holds the Dask executor."""
