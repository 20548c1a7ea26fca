"""The array box under HIPS autograd's module path (programs test ``isinstance(x, ArrayBox)``)."""

from mlkit.numpy.box import ArrayBox

__all__ = ["ArrayBox"]
