"""Datasets, splitting, scaling and mini-batches: plain numpy, no autodiff."""
