"""Building arrays: ``array`` of traced values, dtype casts, copies, and constant arrays.

Constant constructors (zeros, ones, arange, ...) and queries of shape or position (argmax,
nonzero, shape) have no derivative: they are declared non-differentiable and take traced
values by their raw value.
"""

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import Box, getval
from mlkit.numpy.rules.base import is_complex, real, reshape, shape_of
from mlkit.numpy.rules.shape import stack
from mlkit.numpy.wrap import composite, holds_box, nondifferentiable, wrap

__all__ = ["array", "asarray", "astype", "copy", "zeros", "ones", "empty", "zeros_like",
           "ones_like", "empty_like", "eye", "identity", "indices", "tri", "shape", "ndim", "size",
           "result_type", "iscomplexobj", "isrealobj", "iscomplex", "isreal", "isscalar", "argmax",
           "argmin", "argsort", "argpartition", "argwhere", "nonzero", "flatnonzero",
           "searchsorted", "count_nonzero", "allclose", "isclose", "array_equal", "any", "all",
           "floor_divide", "digitize"]


def _cast(x, dtype):
    """A numpy scalar stays one, as numpy's ``astype`` keeps it (jitted or not)."""
    return x.astype(dtype) if isinstance(x, numpy.generic) else numpy.asarray(x).astype(dtype)


cast = wrap(_cast, "astype")


def _cast_vjp(ans, x, dtype):
    x_dtype = numpy.result_type(x)

    def vjp(g):
        if is_complex(g) and x_dtype.kind != "c":
            g = real(g)
        return cast(g, x_dtype)

    return vjp


defvjp(cast, _cast_vjp)
def_linear(cast, argnums=(0,))


def astype(x, dtype, order="K", casting="unsafe", subok=True, copy=True, device=None):
    """``x`` cast to ``dtype`` (numpy.astype and ndarray.astype). A cast to a floating or complex
    dtype is differentiable; a cast to an integer or boolean dtype (``np.floor(x).astype(int)``)
    is piecewise constant, so it gives a plain array with no derivative, usable as an index."""
    if numpy.dtype(dtype).kind in "fc":
        return cast(x, dtype)
    raw = getval(x)
    if type(raw) is numpy.ndarray:
        return raw.astype(dtype, order=order, casting=casting, copy=copy)
    return numpy.asarray(raw).astype(dtype, casting=casting)[()]


astype = composite(astype, getattr(numpy, "astype", None))  # numpy >= 2.1 has the function

copy = wrap(numpy.copy, "copy")
defvjp(copy, lambda ans, x, *args, **kwargs: lambda g: g)
def_linear(copy, argnums=(0,))


def array(object, dtype=None, copy=True, ndmin=0, *, order="K", subok=False):
    """numpy.array; nested lists holding traced values are stacked into a traced array (the
    memory ``order`` and ``subok`` concern plain arrays only)."""
    if holds_box(object):
        if issubclass(type(object), Box) and type(getval(object)) not in (list, tuple):
            out = object
        else:
            out = stack([array(item) for item in object])
        if dtype is not None:
            out = astype(out, dtype)
        shape = shape_of(out)
        if ndmin > len(shape):
            out = reshape(out, (1,) * (ndmin - len(shape)) + tuple(shape))
        return out
    return numpy.array(object, dtype=dtype, copy=copy, ndmin=ndmin, order=order, subok=subok)


def asarray(a, dtype=None, order=None, *, copy=None):
    if holds_box(a):
        return array(a, dtype=dtype)
    return numpy.asarray(a, dtype=dtype, order=order, copy=copy)


composite(array, numpy.array, pack_sequences=False)
composite(asarray, numpy.asarray, pack_sequences=False)

# Constants and queries: the derivative is zero or meaningless, the raw value is used.
zeros = nondifferentiable(numpy.zeros)
ones = nondifferentiable(numpy.ones)
empty = nondifferentiable(numpy.empty)
zeros_like = nondifferentiable(numpy.zeros_like)
ones_like = nondifferentiable(numpy.ones_like)
empty_like = nondifferentiable(numpy.empty_like)
eye = nondifferentiable(numpy.eye)
identity = nondifferentiable(numpy.identity)
indices = nondifferentiable(numpy.indices)
tri = nondifferentiable(numpy.tri)
shape = nondifferentiable(numpy.shape)
ndim = nondifferentiable(numpy.ndim)
size = nondifferentiable(numpy.size)
result_type = nondifferentiable(numpy.result_type)
iscomplexobj = nondifferentiable(numpy.iscomplexobj)
isrealobj = nondifferentiable(numpy.isrealobj)
iscomplex = nondifferentiable(numpy.iscomplex)
isreal = nondifferentiable(numpy.isreal)
isscalar = nondifferentiable(numpy.isscalar)
argmax = nondifferentiable(numpy.argmax)
argmin = nondifferentiable(numpy.argmin)
argsort = nondifferentiable(numpy.argsort)
argpartition = nondifferentiable(numpy.argpartition)
argwhere = nondifferentiable(numpy.argwhere)
nonzero = nondifferentiable(numpy.nonzero)
flatnonzero = nondifferentiable(numpy.flatnonzero)
searchsorted = nondifferentiable(numpy.searchsorted)
count_nonzero = nondifferentiable(numpy.count_nonzero)
allclose = nondifferentiable(numpy.allclose)
isclose = nondifferentiable(numpy.isclose)
array_equal = nondifferentiable(numpy.array_equal)
any = nondifferentiable(numpy.any)
all = nondifferentiable(numpy.all)
floor_divide = nondifferentiable(numpy.floor_divide)
digitize = nondifferentiable(numpy.digitize)
