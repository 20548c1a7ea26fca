"""The primitives the rules themselves are built on, and broadcasting undone in one place.

``unbroadcast`` sums a cotangent back to the shape (and real-ness) of the argument it belongs
to; every binary rule goes through it instead of handling broadcasting on its own.
"""

import operator

import numpy
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from mlkit.autodiff.forward import def_linear, defjvp, defjvp_argnum
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import Box, getval
from mlkit.autodiff.vspace import Deferred, add_values
from mlkit.numpy.wrap import dispatch_from, wrap

# The public names (mlkit.numpy re-exports them); the helpers below are imported by name.
__all__ = ["broadcast_to", "conj", "imag", "real", "reshape", "sum"]


def shape_of(x):
    """The shape of an array, scalar, box or (nested) list of numbers, cheaply."""
    try:
        return x.shape
    except AttributeError:
        if type(x) is list or type(x) is tuple:  # read through its first item (boxes too)
            return (len(x),) + shape_of(x[0]) if x else (0,)
        return ()


def axis_index(axis, ndim, name=None):
    """``axis`` counted from 0 among ``ndim`` axes. Out of range it raises numpy's AxisError
    (prefixed with ``name``) rather than wrapping round to another axis."""
    return normalize_axis_index(operator.index(axis), ndim, name)


def axes_tuple(axes, ndim, name=None):
    """One axis or several as a tuple of ``axis_index``es; a repeated axis is refused."""
    return normalize_axis_tuple(axes, ndim, name)


def is_complex(x) -> bool:
    x = getval(x)
    dtype = getattr(x, "dtype", None)
    return dtype.kind == "c" if dtype is not None else isinstance(x, complex)


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """numpy.sum through the ufunc reduction directly (numpy.sum's dispatch costs more than
    the sum itself on small arrays), into ``out`` too (a jitted gradient's piece)."""
    if (initial is not None or where is not True or type(a) is not numpy.ndarray
            or (out is not None and type(out) is not numpy.ndarray)):
        extra = {} if initial is None else {"initial": initial}
        return numpy.sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where,
                         **extra)
    return numpy.add.reduce(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def _broadcast_to(array, shape, subok=False):
    """numpy.broadcast_to, materialized: a new array of ``shape`` filled from ``array``."""
    out = numpy.empty(shape, dtype=array.dtype if type(array) is numpy.ndarray
                      else numpy.asarray(array).dtype)
    out[...] = array
    return out


sum = wrap(_sum, "sum")
reshape = wrap(numpy.reshape, "reshape")
broadcast_to = wrap(_broadcast_to, "broadcast_to")
dispatch_from(sum, numpy.sum)
dispatch_from(broadcast_to, numpy.broadcast_to)
real = wrap(numpy.real, "real")
imag = wrap(numpy.imag, "imag")
conj = wrap(numpy.conjugate, "conjugate")


def unbroadcast(g, target):
    """Sum ``g`` over the axes along which ``target`` was broadcast; drop imaginary parts
    if ``target`` is real."""
    if type(g) is numpy.ndarray and type(target) is numpy.ndarray:
        if g.shape == target.shape and (g.dtype.kind != "c" or target.dtype.kind == "c"):
            return g
    shape = shape_of(target)
    g_shape = shape_of(g)
    if g_shape != shape:
        if not shape:
            g = sum(g)
        else:
            lead = len(g_shape) - len(shape)
            axes = tuple(range(lead)) + tuple(
                lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1
            )
            g = reshape(sum(g, axis=axes, keepdims=True), shape)
    if is_complex(g) and not is_complex(target):
        g = real(g)
    return g


def broadcast_like(t, ans):
    """A tangent ``t`` broadcast to the output's shape (for a JVP whose input was broadcast)."""
    shape = shape_of(ans)
    return t if shape_of(t) == shape else broadcast_to(t, shape)


def restore_reduced(g, x_shape, axis, keepdims):
    """Broadcast the cotangent of a reduction over ``axis`` back to the input's shape (numpy
    lets a 0-d input be reduced over axis 0 or -1: nothing was removed)."""
    if not keepdims and axis is not None and x_shape:
        axes = (axis,) if isinstance(axis, int) else axis
        kept = list(shape_of(g))
        for a in sorted(ax % len(x_shape) for ax in axes):
            kept.insert(a, 1)
        g = reshape(g, tuple(kept))
    return broadcast_to(g, x_shape)


def selected(where, x_shape, dtype):
    """numpy's ``where=`` mask of a reduction, broadcast to the input (None when absent)."""
    if where is True:
        return None
    return numpy.broadcast_to(numpy.asarray(where, dtype=dtype), x_shape)


def _sum_vjp(ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    x_shape = shape_of(x)
    mask = selected(where, x_shape, numpy.result_type(getval(x)))
    if mask is None:
        return lambda g: restore_reduced(g, x_shape, axis, keepdims)
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) * mask


defvjp(sum, _sum_vjp)
# sum(x, initial=v) is v + sum(x): its derivative in ``initial`` (argument 5) is one, and
# the tangent in x leaves the (constant part) initial out.
defvjp(sum, lambda ans, x, *args: lambda g: unbroadcast(g, args[4]), argnums=(5,))
defjvp(sum, lambda t, ans, x, *args: broadcast_like(t, ans), argnums=(5,))


def _sum_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None,
             where=True):
    if where is True:
        return sum(t, axis=axis, dtype=dtype, keepdims=keepdims)
    return sum(t, axis=axis, dtype=dtype, keepdims=keepdims, where=where)


def _reshape_vjp(ans, x, shape=None, order="C", **kwargs):
    """Reshape back in the same index order (order='F' reads and writes column-major)."""
    if order == "A":
        flags = getattr(getval(x), "flags", None)
        order = "F" if flags is not None and flags.f_contiguous and not flags.c_contiguous else "C"
    x_shape = shape_of(x)
    if order == "C":
        return lambda g: reshape(g, x_shape)
    return lambda g: reshape(g, x_shape, order=order)


defvjp(reshape, _reshape_vjp)
defvjp(broadcast_to, lambda ans, x, *args, **kwargs: lambda g: unbroadcast(g, x))
defvjp(real, lambda ans, x: lambda g: g + 0j if is_complex(x) else g)
defvjp(imag, lambda ans, x: lambda g: -1j * g if is_complex(x) else 0 * g)
defvjp(conj, lambda ans, x: lambda g: conj(g))
defjvp(sum, _sum_jvp)
for _fun in (reshape, broadcast_to, real, imag, conj):
    def_linear(_fun, argnums=(0,))


class _JointTangent(Deferred):
    """The tangents of some arguments of one call of a function that is linear in them
    jointly, applied in one call once all have arrived (the others zeros): a call per
    argument would each make the whole result (k pieces: k times the work)."""

    __slots__ = ("args", "first", "fun", "kwargs", "tangents")

    def __init__(self, fun, first, args, kwargs, tangents):
        self.fun, self.first, self.args, self.kwargs = fun, first, args, kwargs
        self.tangents = tangents

    def add(self, other):
        if type(other) is _JointTangent and other.args is self.args:
            self.tangents.update(other.tangents)
            return self
        return add_values(self.resolve(), other.resolve() if isinstance(other, Deferred) else other)

    def resolve(self):
        args = list(self.args)
        for k in range(self.first, len(args)):
            args[k] = self.tangents.get(k)
            if args[k] is None:
                args[k] = numpy.zeros_like(getval(self.args[k]))
        return self.fun(*args, **self.kwargs)


def def_linear_jointly(fun, first):
    """Declare ``fun`` linear in its arguments from ``first`` on taken together (as a
    concatenation is in its pieces), not in each alone: its tangent is ``fun`` of theirs."""
    defjvp_argnum(fun, lambda argnum, t, ans, args, kwargs:
                  _JointTangent(fun, first, args, kwargs, {argnum: t}))


def mask_like(condition, like):
    """A raw 0/1 array of ``condition`` in the floating dtype of ``like`` (no upcast)."""
    dtype = numpy.result_type(like if isinstance(like, numpy.dtype) else getval(like))
    if dtype.kind not in "fc":
        dtype = numpy.float64
    if issubclass(type(condition), Box):  # a value mlkit.jit records: cast it by a recorded call
        return condition.astype(dtype)
    return numpy.asarray(condition, dtype=dtype)
