"""Products over one axis of vectors: cross, vecdot, matvec, vecmat (composites of products,
sums and slices, so both modes and every order come from those)."""

import numpy

from mlkit.numpy.rules.base import conj, shape_of, sum
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.shape import expand_dims, moveaxis, stack
from mlkit.numpy.wrap import composite

__all__ = ["cross", "vecdot", "matvec", "vecmat"]


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, whose missing third component is 0) held
    along ``axisa`` of ``a`` and ``axisb`` of ``b``; two 2-vectors give the scalar z part."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"cross: vectors must have 2 or 3 components, got {na} and {nb}")
    a0, a1 = getitem(a, (Ellipsis, 0)), getitem(a, (Ellipsis, 1))
    b0, b1 = getitem(b, (Ellipsis, 0)), getitem(b, (Ellipsis, 1))
    z = a0 * b1 - a1 * b0
    if na == nb == 2:
        return z
    if na == 3 and nb == 3:
        a2, b2 = getitem(a, (Ellipsis, 2)), getitem(b, (Ellipsis, 2))
        x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    elif na == 3:  # b's third component is 0
        a2 = getitem(a, (Ellipsis, 2))
        x, y = -a2 * b1, a2 * b0
    else:  # a's third component is 0
        b2 = getitem(b, (Ellipsis, 2))
        x, y = a1 * b2, -a0 * b2
    return moveaxis(stack([x, y, z], axis=-1), -1, axisc)


def vecdot(x1, x2, /, *, axis=-1):
    """The dot product along ``axis``, conjugating the first vector."""
    return sum(conj(x1) * x2, axis=axis)


def matvec(x1, x2, /):
    """Stacks of matrices times stacks of vectors."""
    return getitem(matmul(x1, expand_dims(x2, -1)), (Ellipsis, 0))


def vecmat(x1, x2, /):
    """Stacks of (conjugated) vectors times stacks of matrices."""
    return getitem(matmul(expand_dims(conj(x1), -2), x2), (Ellipsis, 0, slice(None)))


for _fun in (cross, vecdot, matvec, vecmat):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
