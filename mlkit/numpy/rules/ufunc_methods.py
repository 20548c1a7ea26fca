"""numpy's ufunc methods (``outer``, ``reduce``, ``accumulate``) on mlkit's binary functions.

``np.subtract.outer(x, y)`` and ``numpy.add.reduce(x)`` on a traced value are built from the
function itself (or from the reduction it amounts to: ``add.reduce`` is ``sum``), so they are
differentiable in both modes and to any order wherever the function is. ``reduceat`` and
``at`` (in place) stay refused. On plain arrays each method is numpy's own.
"""

import functools

import numpy

from mlkit.numpy.rules.base import axis_index, reshape, shape_of, sum
from mlkit.numpy.rules.reductions import cumprod, cumsum, max, min, prod
from mlkit.numpy.rules.shape import expand_dims, moveaxis, stack
from mlkit.numpy.wrap import holds_box, refuse_out, wrapped_for

__all__ = ["attach_ufunc_methods"]

_NO_VALUE = numpy._NoValue
# The reductions and scans some ufuncs amount to, which take numpy's keywords as they are.
_REDUCTION = {numpy.add: sum, numpy.multiply: prod, numpy.maximum: max, numpy.minimum: min}
_SCAN = {numpy.add: cumsum, numpy.multiply: cumprod}


def _ndim(x):
    return len(shape_of(x))


def _outer(fun, a, b, **kwargs):
    """``fun(a[i, j, ...], b[k, ...])`` for every pair: ``a`` gets one axis per axis of ``b``."""
    return fun(reshape(a, shape_of(a) + (1,) * _ndim(b)), b, **kwargs)


def _along_axis(name, array, axis):
    """``array`` with ``axis`` moved first, for a method written as a loop over that axis."""
    if axis is None:
        return reshape(array, (-1,)), 0
    if not isinstance(axis, (int, numpy.integer)):
        raise NotImplementedError(f"numpy.{name} over several axes: reduce one axis at a time")
    axis = axis_index(axis, _ndim(array))
    return moveaxis(array, axis, 0), axis


def _reduce(fun, raw, array, axis=0, dtype=None, out=None, keepdims=False,
            initial=_NO_VALUE, where=True):
    refuse_out(f"{raw.__name__}.reduce", out)
    known = _REDUCTION.get(raw)
    if known is not None:
        extras = {"dtype": dtype} if dtype is not None and known in (sum, prod) else {}
        if initial is not _NO_VALUE:
            extras["initial"] = initial
        if where is not True:
            extras["where"] = where
        return known(array, axis=axis, keepdims=keepdims, **extras)
    if dtype is not None or where is not True:
        raise NotImplementedError(f"numpy.{raw.__name__}.reduce with dtype= or where= on a "
                                  "traced value; cast or select the values first")
    moved, first = _along_axis(f"{raw.__name__}.reduce", array, axis)
    count = shape_of(moved)[0]
    if count == 0 and initial is _NO_VALUE:
        raise ValueError(f"numpy.{raw.__name__}.reduce of an empty axis needs initial=")
    result = initial if initial is not _NO_VALUE else moved[0]
    for i in range(0 if initial is not _NO_VALUE else 1, count):
        result = fun(result, moved[i])
    if keepdims:
        return (reshape(result, (1,) * _ndim(array)) if axis is None
                else expand_dims(result, first))
    return result


def _accumulate(fun, raw, array, axis=0, dtype=None, out=None):
    refuse_out(f"{raw.__name__}.accumulate", out)
    known = _SCAN.get(raw)
    if known is not None:
        return known(array, axis=axis, dtype=dtype)
    if dtype is not None:
        raise NotImplementedError(f"numpy.{raw.__name__}.accumulate with dtype= on a traced "
                                  "value; cast the values first")
    moved, first = _along_axis(f"{raw.__name__}.accumulate", array, axis)
    partial = [moved[0]]
    for i in range(1, shape_of(moved)[0]):
        partial.append(fun(partial[-1], moved[i]))
    return stack(partial, axis=first)


def _method(raw, name, traced):
    """numpy's ``raw.<name>`` on plain arrays, ``traced`` when an argument holds a box."""
    plain = getattr(raw, name)

    @functools.wraps(plain)
    def method(*args, **kwargs):
        if any(holds_box(a) for a in args) or any(holds_box(v) for v in kwargs.values()):
            return traced(*args, **kwargs)
        return plain(*args, **kwargs)

    return method


def attach_ufunc_methods():
    """Give mlkit's version of each two-argument numpy ufunc its methods (once every rule
    module has made its versions)."""
    for raw in vars(numpy).values():
        if isinstance(raw, numpy.ufunc) and raw.nin == 2 and raw.nout == 1:
            fun = wrapped_for(raw)
            if fun is not None and not hasattr(fun, "reduce"):
                fun.outer = _method(raw, "outer", functools.partial(_outer, fun))
                fun.reduce = _method(raw, "reduce", functools.partial(_reduce, fun, raw))
                fun.accumulate = _method(raw, "accumulate",
                                         functools.partial(_accumulate, fun, raw))
