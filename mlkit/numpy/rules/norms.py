"""numpy.linalg's norms (vector, matrix, any order) and singular values, with derivatives;
the subgradient 0 is taken wherever a norm is 0, so a norm never gives nan."""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import axes_tuple, conj, real, reshape, shape_of, sum
from mlkit.numpy.rules.decompositions import svd_reduced
from mlkit.numpy.rules.elementwise import absolute, sqrt, zero_at_zero
from mlkit.numpy.rules.elementwise import where_primitive as where
from mlkit.numpy.rules.powers import power
from mlkit.numpy.rules.reductions import max, min
from mlkit.numpy.rules.shape import moveaxis
from mlkit.numpy.wrap import holds_box, raw_array

__all__ = ["norm", "norm_order", "svdvals"]


def svdvals(x):
    """Singular values; traced, they come from the full reduced SVD (its vectors are needed)."""
    if not holds_box(x):
        return numpy.linalg.svd(x, compute_uv=False)
    return svd_reduced(x)[1]


def _euclidean(x, axis, keepdims):
    squares = real(x * conj(x)) if numpy.iscomplexobj(getval(x)) else x * x
    return zero_at_zero(sum(squares, axis=axis, keepdims=keepdims), sqrt)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return _euclidean(x, axis, keepdims)
    if ord == numpy.inf:  # numpy's maxima in norms start from 0: an empty vector's norm is 0
        return max(absolute(x), axis=axis, keepdims=keepdims, initial=0)
    if ord == -numpy.inf:
        return min(absolute(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        raw = numpy.asarray(getval(x))
        return numpy.sum(raw != 0, axis=axis, keepdims=keepdims).astype(raw.real.dtype)
    if ord == 1:
        return sum(absolute(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"invalid norm order {ord!r} for vectors")  # noqa: TRY004 (as numpy)
    if ord < 0:
        return _negative_order_norm(x, float(ord), axis, keepdims)
    powers = zero_at_zero(absolute(x), lambda a: power(a, float(ord)))  # finite at 0 for ord < 1
    return zero_at_zero(sum(powers, axis=axis, keepdims=keepdims), lambda t: power(t, 1.0 / ord))


def _negative_order_norm(x, ord, axis, keepdims):
    """``(sum |x|**ord)**(1/ord)`` for ord < 0, as numpy: a zero element makes the norm 0
    (derivative 0 there), an empty vector's norm is inf."""
    zero = raw_array(x) == 0
    powers = power(where(zero, 1, absolute(x)), ord)  # 1, not inf, so the derivative stays finite
    with numpy.errstate(divide="ignore"):  # an empty sum is 0, and 0**(1/ord) is inf
        out = power(sum(powers, axis=axis, keepdims=keepdims), 1.0 / ord)
    return where(numpy.any(zero, axis=axis, keepdims=keepdims), 0, out)


def _matrix_norm(x, ord, rows, cols, keepdims):
    if ord in (None, "fro", "f"):
        out = _euclidean(x, (rows, cols), False)
    elif ord in ("nuc", 2, -2):
        values = svdvals(moveaxis(x, (rows, cols), (-2, -1)))
        out = (sum(values, -1) if ord == "nuc" else max(values, -1, initial=0) if ord == 2
               else min(values, -1))
        out = where(numpy.asarray(getval(out)) == 0, 0, out)  # 0, not U V^T, at the zero matrix
    elif ord in (1, -1, numpy.inf, -numpy.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        lines, other = sum(absolute(x), axis=summed), other - (other > summed)
        out = max(lines, axis=other, initial=0) if ord > 0 else min(lines, axis=other)
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    if keepdims:
        shape = list(shape_of(x))
        shape[rows] = shape[cols] = 1
        out = reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms (any p, inf, 0) and matrix norms (fro, nuc, 1, 2, inf
    and their negatives), over ``axis``; the derivative is 0 where the norm is 0."""
    ord = norm_order(ord)
    ndim = len(shape_of(x))
    if axis is None:
        if ord is None or (ord in ("fro", "f") and ndim == 2) or (ord == 2 and ndim == 1):
            out = _euclidean(reshape(x, (-1,)), 0, False)
            return reshape(out, (1,) * ndim) if keepdims else out
        if ndim not in (1, 2):
            raise ValueError("improper number of dimensions to norm: give axis for ndim > 2")
        axis = tuple(range(ndim))
    axes = axes_tuple(axis, ndim)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2 and axes[0] != axes[1]:
        return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
    raise ValueError(f"norm takes one axis (vector norm) or two distinct axes, got {axis!r}")


def norm_order(ord):
    """A norm's order as a plain number (under mlkit.jit, a traced one is a guard); a
    differentiated order is refused, as mlkit gives no derivative in it."""
    if holds_box(ord):
        return float(ord)
    return ord
