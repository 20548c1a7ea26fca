"""The array spaces under HIPS autograd's module path: a library with an ndarray subclass of its
own describes it with them (``VSpace.mappings[MyArray] = ArrayVSpace``)."""

from mlkit.numpy.vspaces import ArrayVSpace, ComplexArrayVSpace

__all__ = ["ArrayVSpace", "ComplexArrayVSpace"]
