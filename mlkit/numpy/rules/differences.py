"""Differences and integrals along an axis: diff, ediff1d, gradient, trapezoid, cumulative sums.

All are composites of slices (``getitem``), joins and arithmetic, so their derivatives in the
values and in traced spacings or coordinates come from those primitives, at every order.
"""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import axes_tuple, axis_index, broadcast_to, reshape, shape_of, sum
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.reductions import cumprod, cumsum
from mlkit.numpy.rules.shape import concatenate, ravel
from mlkit.numpy.wrap import composite

__all__ = ["diff", "ediff1d", "gradient", "trapezoid", "cumulative_sum", "cumulative_prod"]


def _ndim(x):
    return len(shape_of(x))


def _slice(x, axis, start=None, stop=None):
    """``x[start:stop]`` along ``axis``."""
    return getitem(x, (slice(None),) * axis + (slice(start, stop),))


def _at(x, axis, i):
    """The slab ``x[i:i+1]`` along ``axis`` (keeping the axis)."""
    return _slice(x, axis, i, i + 1 if i != -1 else None)


def _along(v, axis, ndim):
    """A 1-d ``v`` shaped to broadcast along ``axis`` of an ``ndim``-axis array."""
    return reshape(v, (-1,) + (1,) * (ndim - axis - 1)) if _ndim(v) == 1 else v


def _edge(value, x, axis):
    """``value`` (a scalar or array) as a slab that can be joined to ``x`` along ``axis``."""
    if _ndim(value) == 0:
        shape = list(shape_of(x))
        shape[axis] = 1
        return broadcast_to(value, tuple(shape))
    return value


def diff(a, n=1, axis=-1, prepend=numpy._NoValue, append=numpy._NoValue):
    """The n-th discrete difference along ``axis`` (``prepend``/``append`` join first)."""
    if n < 0:
        raise ValueError(f"diff: order n={n} must be non-negative")
    if _ndim(a) == 0:
        raise ValueError("diff needs an array of at least one axis, got a scalar")
    axis = axis_index(axis, _ndim(a))
    parts = [a]
    if prepend is not numpy._NoValue:
        parts.insert(0, _edge(prepend, a, axis))
    if append is not numpy._NoValue:
        parts.append(_edge(append, a, axis))
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    # Booleans differ by != in numpy (they have no subtraction); traced, so jit records it.
    boolean = numpy.result_type(getval(a)).kind == "b"
    for _ in range(n):
        later, earlier = _slice(a, axis, 1), _slice(a, axis, None, -1)
        a = later != earlier if boolean else later - earlier
    return a


def _cast(x, dtype):
    """``x`` as an array of ``dtype`` (numpy writes results into arrays of the input's dtype)."""
    x = asarray(x)
    return x if numpy.result_type(getval(x)) == dtype else astype(x, dtype)


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with optional values before and after."""
    parts = [diff(ravel(ary))]
    dtype = numpy.result_type(getval(ary))
    if to_begin is not None:
        parts.insert(0, ravel(_cast(to_begin, dtype)))
    if to_end is not None:
        parts.append(ravel(_cast(to_end, dtype)))
    return concatenate(parts) if len(parts) > 1 else parts[0]


def _spacings(varargs, axes, shape):
    """Per axis: a scalar step, or the 1-d array of steps between given coordinates."""
    if len(varargs) == 0:
        return [1.0] * len(axes)
    varargs = [asarray(v) for v in varargs]
    if len(varargs) == 1 and _ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(f"gradient takes one spacing for all axes or one per axis ({len(axes)}),"
                        f" got {len(varargs)}")
    steps = []
    for spacing, axis in zip(varargs, axes):
        if _ndim(spacing) == 0:
            steps.append(spacing)
        elif _ndim(spacing) == 1 and shape_of(spacing)[0] == shape[axis]:
            steps.append(diff(spacing))
        else:
            raise ValueError(f"gradient: coordinates along axis {axis} must be a 1-d array of "
                             f"length {shape[axis]}, got shape {tuple(shape_of(spacing))}")
    return steps


def _gradient_along(f, axis, h, edge_order):
    ndim = _ndim(f)
    if _ndim(h) == 0:
        interior = (_slice(f, axis, 2) - _slice(f, axis, None, -2)) / (2.0 * h)
        if edge_order == 1:
            first = (_at(f, axis, 1) - _at(f, axis, 0)) / h
            last = (_at(f, axis, -1) - _at(f, axis, -2)) / h
        else:
            first = (-1.5 * _at(f, axis, 0) + 2.0 * _at(f, axis, 1) - 0.5 * _at(f, axis, 2)) / h
            last = (0.5 * _at(f, axis, -3) - 2.0 * _at(f, axis, -2)
                    + 1.5 * _at(f, axis, -1)) / h
        return concatenate([first, interior, last], axis=axis)
    # uneven steps: second-order weights of the three neighbouring samples
    h1, h2 = _along(_slice(h, 0, None, -1), axis, ndim), _along(_slice(h, 0, 1), axis, ndim)
    interior = (-h2 / (h1 * (h1 + h2)) * _slice(f, axis, None, -2)
                + (h2 - h1) / (h1 * h2) * _slice(f, axis, 1, -1)
                + h1 / (h2 * (h1 + h2)) * _slice(f, axis, 2))
    if edge_order == 1:
        first = (_at(f, axis, 1) - _at(f, axis, 0)) / getitem(h, 0)
        last = (_at(f, axis, -1) - _at(f, axis, -2)) / getitem(h, -1)
    else:
        a, b = getitem(h, 0), getitem(h, 1)
        first = (-(2.0 * a + b) / (a * (a + b)) * _at(f, axis, 0)
                 + (a + b) / (a * b) * _at(f, axis, 1) - a / (b * (a + b)) * _at(f, axis, 2))
        a, b = getitem(h, -2), getitem(h, -1)
        last = (b / (a * (a + b)) * _at(f, axis, -3) - (a + b) / (a * b) * _at(f, axis, -2)
                + (2.0 * b + a) / (b * (a + b)) * _at(f, axis, -1))
    return concatenate([first, interior, last], axis=axis)


def gradient(f, *varargs, axis=None, edge_order=1):
    """Central differences inside, one-sided ones (of order ``edge_order``) at the ends."""
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    shape = tuple(shape_of(f))
    ndim = len(shape)
    axes = tuple(range(ndim)) if axis is None else axes_tuple(axis, ndim)
    for a in axes:
        if shape[a] < edge_order + 1:
            raise ValueError(f"gradient needs at least {edge_order + 1} samples along axis {a} "
                             f"for edge_order={edge_order}, got {shape[a]}")
    dtype = numpy.result_type(getval(f))
    if dtype.kind in "biu":
        dtype = numpy.dtype(numpy.float64)
    f = _cast(f, dtype)
    steps = _spacings(varargs, axes, shape)
    results = tuple(_cast(_gradient_along(f, a, h, edge_order), dtype)
                    for a, h in zip(axes, steps))
    return results[0] if len(results) == 1 else results


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The trapezoidal rule along ``axis``, with sample points ``x`` or a constant step."""
    axis = axis_index(axis, _ndim(y))
    mean_heights = (_slice(y, axis, 1) + _slice(y, axis, None, -1)) / 2.0
    if x is None:
        return sum(mean_heights, axis=axis) * dx
    widths = diff(x, axis=-1 if _ndim(x) == 1 else axis)
    if _ndim(x) == 1:
        widths = _along(widths, axis, _ndim(y))
    return sum(mean_heights * widths, axis=axis)


def _scan(scan, identity, x, axis, dtype, include_initial):
    if axis is None:
        if _ndim(x) > 1:
            raise ValueError("cumulative_sum and cumulative_prod need an axis for arrays of "
                             "more than one dimension")
        axis = 0
    x = reshape(x, (1,)) if _ndim(x) == 0 else x
    out = scan(x, axis=axis, dtype=dtype)
    if include_initial:
        start = numpy.full_like(getval(_at(out, axis % _ndim(out), 0)), identity)
        out = concatenate([start, out], axis=axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    return _scan(cumsum, 0, x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    return _scan(cumprod, 1, x, axis, dtype, include_initial)


for _fun in (diff, ediff1d, gradient, trapezoid, cumulative_sum, cumulative_prod):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
