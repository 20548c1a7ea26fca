"""The autodiff core: tracing, rule registries, reverse and forward passes, vector spaces.

It knows nothing of numpy, nn or training; array support registers itself from mlkit.numpy.
"""
