"""Building arrays: ``array`` of traced values, dtype casts, copies, and constant arrays.

Constant constructors (zeros, ones, arange, ...) and queries of shape or position (argmax,
nonzero, shape) have no derivative: they are declared non-differentiable and take traced
values by their raw value.
"""

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import box_types, getval
from mlkit.numpy.rules.base import is_complex, real, reshape, shape_of
from mlkit.numpy.rules.shape import stack
from mlkit.numpy.wrap import composite, dispatch_from, nondifferentiable, wrap

__all__ = [
    "array",
    "asarray",
    "astype",
    "copy",
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "eye",
    "identity",
    "arange",
    "linspace",
    "logspace",
    "geomspace",
    "meshgrid",
    "indices",
    "tri",
    "shape",
    "ndim",
    "size",
    "result_type",
    "iscomplexobj",
    "isrealobj",
    "iscomplex",
    "isreal",
    "isscalar",
    "argmax",
    "argmin",
    "argsort",
    "argpartition",
    "argwhere",
    "nonzero",
    "flatnonzero",
    "searchsorted",
    "unique",
    "count_nonzero",
    "allclose",
    "isclose",
    "array_equal",
    "any",
    "all",
    "floor_divide",
    "bincount",
    "digitize",
    "histogram",
]


def _astype(x, dtype):
    return numpy.asarray(x).astype(dtype)


astype = wrap(_astype, "astype")
dispatch_from(astype, getattr(numpy, "astype", None))  # numpy >= 2.1


def _astype_vjp(ans, x, dtype):
    x_dtype = numpy.result_type(x)

    def vjp(g):
        if is_complex(g) and x_dtype.kind != "c":
            g = real(g)
        return astype(g, x_dtype)

    return vjp


defvjp(astype, _astype_vjp)
def_linear(astype, argnums=(0,))

copy = wrap(numpy.copy, "copy")
defvjp(copy, lambda ans, x, **kwargs: lambda g: g)
def_linear(copy, argnums=(0,))


def _holds_box(x):
    if type(x) in box_types:
        return True
    return type(x) in (list, tuple) and any(_holds_box(item) for item in x)


def array(obj, dtype=None, copy=True, ndmin=0):
    """numpy.array; nested lists holding traced values are stacked into a traced array."""
    if _holds_box(obj):
        if type(obj) in box_types and type(getval(obj)) not in (list, tuple):
            out = obj
        else:
            out = stack([array(item) for item in obj])
        if dtype is not None:
            out = astype(out, dtype)
        shape = shape_of(out)
        if ndmin > len(shape):
            out = reshape(out, (1,) * (ndmin - len(shape)) + tuple(shape))
        return out
    return numpy.array(obj, dtype=dtype, copy=copy, ndmin=ndmin)


def asarray(obj, dtype=None):
    if _holds_box(obj):
        return array(obj, dtype=dtype)
    return numpy.asarray(obj, dtype=dtype)


composite(array, numpy.array)
composite(asarray, numpy.asarray)

# Constants and queries: the derivative is zero or meaningless, the raw value is used.
zeros = nondifferentiable(numpy.zeros)
ones = nondifferentiable(numpy.ones)
empty = nondifferentiable(numpy.empty)
full = nondifferentiable(numpy.full)
zeros_like = nondifferentiable(numpy.zeros_like)
ones_like = nondifferentiable(numpy.ones_like)
empty_like = nondifferentiable(numpy.empty_like)
full_like = nondifferentiable(numpy.full_like)
eye = nondifferentiable(numpy.eye)
identity = nondifferentiable(numpy.identity)
arange = nondifferentiable(numpy.arange)
linspace = nondifferentiable(numpy.linspace)
logspace = nondifferentiable(numpy.logspace)
geomspace = nondifferentiable(numpy.geomspace)
meshgrid = nondifferentiable(numpy.meshgrid)
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
unique = nondifferentiable(numpy.unique)
count_nonzero = nondifferentiable(numpy.count_nonzero)
allclose = nondifferentiable(numpy.allclose)
isclose = nondifferentiable(numpy.isclose)
array_equal = nondifferentiable(numpy.array_equal)
any = nondifferentiable(numpy.any)
all = nondifferentiable(numpy.all)
floor_divide = nondifferentiable(numpy.floor_divide)
bincount = nondifferentiable(numpy.bincount)
digitize = nondifferentiable(numpy.digitize)
histogram = nondifferentiable(numpy.histogram)
