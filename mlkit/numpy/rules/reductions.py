"""Reductions with ``axis`` and ``keepdims``: sums, means, products, extrema, moments, scans.

Extrema share the cotangent equally among tied maxima (a documented subgradient); products
at zeros use the product of the other elements, exact to first order.
"""

import builtins

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import (broadcast_to, conj, real, reshape, restore_reduced,
                                    shape_of, sum)
from mlkit.numpy.rules.elementwise import mask_like, sqrt, where
from mlkit.numpy.wrap import composite, wrap

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "cumsum",
           "cumprod", "nansum", "nanmean", "average"]

mean = wrap(numpy.mean, "mean")
prod = wrap(numpy.prod, "prod")
max = wrap(numpy.max, "max")
min = wrap(numpy.min, "min")
amax = max
amin = min
cumsum = wrap(numpy.cumsum, "cumsum")
cumprod = wrap(numpy.cumprod, "cumprod")
flip = wrap(numpy.flip, "flip")


def _count(x_shape, ans_shape):
    """How many input elements were reduced into each output element."""
    return int(numpy.prod(x_shape)) // builtins.max(int(numpy.prod(ans_shape)), 1)


def _mean_vjp(ans, x, axis=None, dtype=None, keepdims=False, **kwargs):
    x_shape = shape_of(x)
    count = _count(x_shape, shape_of(ans) if keepdims or axis is not None else ())
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) / count


defvjp(mean, _mean_vjp)
def_linear(mean, argnums=(0,))


def _extremum_share(ans, x, axis, keepdims):
    """Raw weights: 1/k on each of the k elements equal to the extremum, 0 elsewhere."""
    raw_x, raw_ans = numpy.asarray(getval(x)), getval(ans)
    if not keepdims and axis is not None:
        raw_ans = numpy.expand_dims(raw_ans, axis)
    hits = raw_x == raw_ans
    return mask_like(hits / numpy.sum(hits, axis=axis, keepdims=True), raw_x)


def _extremum_vjp(ans, x, axis=None, keepdims=False, **kwargs):
    share = _extremum_share(ans, x, axis, keepdims)
    x_shape = shape_of(x)
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) * share


def _extremum_jvp(t, ans, x, axis=None, keepdims=False, **kwargs):
    return sum(t * _extremum_share(ans, x, axis, keepdims), axis=axis, keepdims=keepdims)


for _fun in (max, min):
    defvjp(_fun, _extremum_vjp)
    defjvp(_fun, _extremum_jvp)


def _others_product(ans, x, axis, keepdims):
    """The product of all other elements along ``axis``, for each element of ``x``."""
    raw = numpy.asarray(getval(x))
    full = ans if keepdims or axis is None else reshape(ans, _kept_shape(raw.shape, axis))
    if not numpy.any(raw == 0):
        return full / x
    moved = raw.reshape(-1) if axis is None else numpy.moveaxis(raw, axis, -1)
    ones = numpy.ones_like(moved[..., :1])
    left = numpy.cumprod(numpy.concatenate([ones, moved[..., :-1]], -1), -1)
    right = numpy.cumprod(numpy.concatenate([ones, moved[..., :0:-1]], -1), -1)[..., ::-1]
    others = left * right
    others = others.reshape(raw.shape) if axis is None else numpy.moveaxis(others, -1, axis)
    return where(raw == 0, others, full / where(raw == 0, 1, x))


def _kept_shape(shape, axis):
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(1 if i in [a % len(shape) for a in axes] else n for i, n in enumerate(shape))


def _prod_vjp(ans, x, axis=None, dtype=None, keepdims=False, **kwargs):
    if isinstance(axis, tuple) and len(axis) > 1:
        raise NotImplementedError("prod's gradient takes axis=None or one axis")
    axis1 = axis[0] if isinstance(axis, tuple) else axis
    others = _others_product(ans, x, axis1, keepdims)
    x_shape = shape_of(x)
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) * conj(others)


def _prod_jvp(t, ans, x, axis=None, dtype=None, keepdims=False, **kwargs):
    axis1 = axis[0] if isinstance(axis, tuple) else axis
    return sum(t * _others_product(ans, x, axis1, keepdims), axis=axis, keepdims=keepdims)


defvjp(prod, _prod_vjp)
defjvp(prod, _prod_jvp)


def _reverse_cumsum(g, axis):
    return flip(cumsum(flip(g, axis), axis), axis)


def _cumsum_vjp(ans, x, axis=None, dtype=None, **kwargs):
    x_shape = shape_of(x)
    if axis is None:
        return lambda g: reshape(_reverse_cumsum(g, 0), x_shape)
    return lambda g: _reverse_cumsum(g, axis)


defvjp(cumsum, _cumsum_vjp)
def_linear(cumsum, argnums=(0,))
defvjp(flip, lambda ans, x, axis=None: lambda g: flip(g, axis))
def_linear(flip, argnums=(0,))


def _cumprod_vjp(ans, x, axis=None, dtype=None, **kwargs):
    """Exact where ``x`` has no zeros (the common case for products of probabilities)."""
    x_shape = shape_of(x)
    flat = axis is None

    def vjp(g):
        a = 0 if flat else axis
        out = _reverse_cumsum(g * conj(ans), a)
        raw = getval(x)
        out = reshape(out, x_shape) if flat else out
        return out / conj(where(raw == 0, 1, x))

    return vjp


defvjp(cumprod, _cumprod_vjp)
defjvp(cumprod, lambda t, ans, x, axis=None, **kw: cumsum(
    t / where(getval(x) == 0, 1, x) if axis is not None else reshape(
        t / where(getval(x) == 0, 1, x), (-1,)), axis=axis) * ans)


def var(x, axis=None, dtype=None, ddof=0, keepdims=False):
    """Variance, built from mean so it needs no rules of its own."""
    centered = x - mean(x, axis=axis, keepdims=True)
    squared = real(centered * conj(centered)) if numpy.iscomplexobj(getval(x)) else centered * centered
    n = _count(shape_of(x), shape_of(mean(getval(x), axis=axis, keepdims=keepdims)))
    return sum(squared, axis=axis, keepdims=keepdims) / (n - ddof)


def std(x, axis=None, dtype=None, ddof=0, keepdims=False):
    return sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))


def nansum(x, axis=None, keepdims=False):
    """Sum ignoring NaNs (their gradient is 0)."""
    return sum(where(numpy.isnan(getval(x)), 0, x), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    valid = numpy.logical_not(numpy.isnan(getval(x)))
    count = numpy.sum(valid, axis=axis, keepdims=keepdims)
    return nansum(x, axis=axis, keepdims=keepdims) / count


def average(a, axis=None, weights=None, keepdims=False):
    if weights is None:
        return mean(a, axis=axis, keepdims=keepdims)
    if axis is not None and len(shape_of(weights)) == 1 and len(shape_of(a)) > 1:
        weights = _align_weights(weights, a, axis)
    weights = broadcast_to(weights, shape_of(a))
    return (sum(a * weights, axis=axis, keepdims=keepdims)
            / sum(weights, axis=axis, keepdims=keepdims))


def _align_weights(weights, a, axis):
    shape = [1] * len(shape_of(a))
    shape[axis] = shape_of(weights)[0]
    return reshape(weights, tuple(shape))


for _name, _fun in (("var", var), ("std", std), ("nansum", nansum), ("nanmean", nanmean),
                    ("average", average)):
    composite(_fun, getattr(numpy, _name))
