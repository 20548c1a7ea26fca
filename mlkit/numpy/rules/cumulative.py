"""cumprod and its derivatives. Where x has no zeros, infinities or nans, the first and
second orders are quotients by x, each a few cumulative sums (O(n)) whose terms never cancel
their own; every further order, and every order where the quotients fail, comes from scans
of multiplies (``others.py``), exact at zeros and tiny elements.

Along the scanned axis (last, below), with P = cumprod(x):
  tangent   T(t)_k      = sum_{i <= k} t_i P_k / x_i,
  cotangent C(g)_i      = sum_{k >= i} g_k P_k / x_i,
  and their derivatives along x, two bilinear forms, the one the other's transpose:
  S(u, w)_k = sum_{i != m <= k} u_i w_m P_k / (x_i x_m),
  V(g, c)_m = sum_k g_k sum_{i != m, i <= k, m <= k} c_i P_k / (x_i x_m).
"""

import numpy

from mlkit.autodiff.entry import def_rules_of, make_jvp
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, primitive
from mlkit.numpy.rules.base import reshape, shape_of
from mlkit.numpy.rules.others import (
    accumulated_after,
    accumulated_before,
    cumulative_others_after,
    cumulative_others_before,
    quotient_fails,
    quotients_hold,
)
from mlkit.numpy.rules.shape import moveaxis
from mlkit.numpy.wrap import wrap

__all__ = ["cumprod"]

cumprod = wrap(numpy.cumprod, "cumprod")


def _last(x, axis):
    return reshape(x, (-1,)) if axis is None else moveaxis(x, axis, -1)


def _from_last(y, x_shape, axis):
    return reshape(y, x_shape) if axis is None else moveaxis(y, -1, axis)


def _cumprod_vjp(ans, x, axis=None, dtype=None, **kwargs):
    """C(g): a quotient where x has no zeros, infinities or nans, else scans."""
    axis = None if not shape_of(x) else axis  # a 0-d x is scanned as if flattened
    if quotient_fails(x):
        return lambda g: _scanned_cotangent(g, x, axis)
    return lambda g: _quotient_cotangent(g, x, getval(ans), axis)


def _cumprod_jvp(t, ans, x, axis=None, dtype=None, **kwargs):
    """T(t): a quotient where x has no zeros, infinities or nans, else scans."""
    axis = None if not shape_of(x) else axis  # a 0-d x is scanned as if flattened
    if quotient_fails(x):
        return _scanned_tangent(t, x, axis)
    return _quotient_tangent(t, x, getval(ans), axis)


def _scanned_cotangent(g, x, axis):
    """C(g) by scans of multiplies, exact to every order."""
    return _from_last(cumulative_others_after(_last(g, axis), _last(x, axis)), shape_of(x),
                      axis)


def _scanned_tangent(t, x, axis):
    """T(t) by scans of multiplies, exact to every order."""
    out = cumulative_others_before(_last(t, axis), _last(x, axis))
    return out if axis is None else moveaxis(out, -1, axis)


def _divide_cotangent(g, x, products, axis):
    """C(g) as a reverse cumulative sum of g * P over x: as accurate as its terms, but the
    derivatives of the quotient would cancel terms of size P / x**2."""
    if axis is None:
        return numpy.cumsum((g * products)[::-1])[::-1].reshape(x.shape) / x
    return numpy.flip(numpy.cumsum(numpy.flip(g * products, axis), axis), axis) / x


def _divide_tangent(t, x, products, axis):
    """T(t) as a cumulative sum of t / x times P (see ``_divide_cotangent``)."""
    return numpy.cumsum(t / x, axis=axis) * products


def _divide_pairs_tangent(u, w, x, products, axis):
    """S(u, w): P_k times the cumulative sum of the pairs (i < m, then m < i) that end at
    each m, with the sums of u / x (of w / x) before m, so no pair i = m enters; the scans'
    where that loses precision (``quotients_hold``)."""
    p, flat_x = _last(products, axis), _last(x, axis)
    ux, wx = _last(u, axis) / flat_x, _last(w, axis) / flat_x
    pairs = wx * accumulated_before(numpy.add, ux) + ux * accumulated_before(numpy.add, wx)
    out = p * numpy.cumsum(pairs, axis=-1)
    if not quotients_hold(p, out):
        return _scanned_pairs_tangent(u, w, x, products, axis)
    return out if axis is None else moveaxis(out, -1, axis)


def _divide_pairs_cotangent(g, c, x, products, axis):
    """V(g, c): with R_m = sum_{k >= m} g_k P_k, the pairs i < m give R_m times the sum of
    c / x before m, the pairs i > m the sum after m of c_i R_i / x_i; both over x_m (the
    scans' where that loses precision)."""
    p, flat_x = _last(products, axis), _last(x, axis)
    cx = _last(c, axis) / flat_x
    after = numpy.cumsum((_last(g, axis) * p)[..., ::-1], axis=-1)[..., ::-1]
    out = (accumulated_before(numpy.add, cx) * after +
           accumulated_after(numpy.add, cx * after)) / flat_x
    if not quotients_hold(p, out):
        return _scanned_pairs_cotangent(g, c, x, products, axis)
    return _from_last(out, numpy.shape(x), axis)


def _scanned_pairs_tangent(u, w, x, products, axis):
    """S(u, w) as the derivative of the scanned T(u) along w (for the third order on)."""
    return make_jvp(lambda x: _scanned_tangent(u, x, axis), x)(w)[1]


def _scanned_pairs_cotangent(g, c, x, products, axis):
    """V(g, c) as the derivative of the scanned C(g) along c (for the third order on)."""
    return make_jvp(lambda x: _scanned_cotangent(g, x, axis), x)(c)[1]


# The quotients' values. T and C are linear in their first argument, S and V in their first
# two, whose derivatives are T, C, S and V again; along x, T's and C's are S and V, and S's
# and V's are the scans' (P, a raw array, carries none).
_quotient_tangent = primitive(_divide_tangent)
_quotient_cotangent = primitive(_divide_cotangent)
_pairs_tangent = primitive(_divide_pairs_tangent)
_pairs_cotangent = primitive(_divide_pairs_cotangent)
def_rules_of(_pairs_tangent, _scanned_pairs_tangent)
def_rules_of(_pairs_cotangent, _scanned_pairs_cotangent)
def_linear(_quotient_tangent, argnums=(0,))
def_linear(_quotient_cotangent, argnums=(0,))
def_linear(_pairs_tangent, argnums=(0, 1))
def_linear(_pairs_cotangent, argnums=(0, 1))
defjvp(_quotient_tangent, lambda s, ans, t, x, p, axis: _pairs_tangent(t, s, x, p, axis),
       argnums=(1,))
defjvp(_quotient_cotangent, lambda s, ans, g, x, p, axis: _pairs_cotangent(g, s, x, p, axis),
       argnums=(1,))
defvjp(_quotient_tangent,
       lambda ans, t, x, p, axis: lambda d: _quotient_cotangent(d, x, p, axis),
       lambda ans, t, x, p, axis: lambda d: _pairs_cotangent(d, t, x, p, axis))
defvjp(_quotient_cotangent,
       lambda ans, g, x, p, axis: lambda d: _quotient_tangent(d, x, p, axis),
       lambda ans, g, x, p, axis: lambda d: _pairs_cotangent(g, d, x, p, axis))
defvjp(_pairs_tangent,
       lambda ans, u, w, x, p, axis: lambda d: _pairs_cotangent(d, w, x, p, axis),
       lambda ans, u, w, x, p, axis: lambda d: _pairs_cotangent(d, u, x, p, axis))
defvjp(_pairs_cotangent,
       lambda ans, g, c, x, p, axis: lambda d: _pairs_tangent(c, d, x, p, axis),
       lambda ans, g, c, x, p, axis: lambda d: _pairs_cotangent(g, d, x, p, axis))
defvjp(cumprod, _cumprod_vjp)
defjvp(cumprod, _cumprod_jvp)
