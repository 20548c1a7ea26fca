"""Sweeps and optimizer comparisons, locally or on a Dask cluster."""
