"""``unary_to_nary`` under HIPS autograd's module path ``autograd.wrap_util``: it turns an
operator on one-argument functions into one with an ``argnum``, as ``grad`` has."""

from mlkit.extend import unary_to_nary

__all__ = ["unary_to_nary"]
