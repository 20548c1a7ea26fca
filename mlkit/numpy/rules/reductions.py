"""Reductions with ``axis`` and ``keepdims``: sums, means, products, extrema, scans (the
moments are in moments.py).

Extrema share the cotangent equally among tied maxima (a documented subgradient); products
at zeros use the product of the other elements, exact to every order.
"""

import builtins
import math

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import (
    broadcast_like,
    broadcast_to,
    mask_like,
    reshape,
    restore_reduced,
    selected,
    shape_of,
    sum,
    unbroadcast,
)
from mlkit.numpy.rules.cumulative import cumprod
from mlkit.numpy.rules.elementwise import where_primitive as _select
from mlkit.numpy.rules.others import others_product, times_others
from mlkit.numpy.wrap import composite, dispatch_from, raw_array, wrap

__all__ = ["amax", "amin", "average", "cumprod", "cumsum", "flip", "max", "mean", "min", "prod"]


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """numpy.mean as a sum and a division (skipping numpy.mean's dispatch on small arrays)."""
    if out is not None or kwargs or type(a) is not numpy.ndarray or a.dtype.kind not in "fc":
        return numpy.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)
    total = numpy.add.reduce(a, axis=axis, dtype=dtype, keepdims=keepdims)
    return total / (a.size // builtins.max(numpy.size(total), 1) if axis is not None else a.size)


mean = wrap(_mean, "mean")


def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """numpy.prod with plain defaults: a traced ``where=`` binds the arguments before it by
    position, and the rules would receive numpy's sentinels for keepdims and initial."""
    extra = {} if initial is None else {"initial": initial}
    if where is not True:
        extra["where"] = where
    return numpy.prod(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **extra)


prod = wrap(_prod, "prod")
dispatch_from(prod, numpy.prod)


def _extremum(reduce, ufunc):
    """numpy.max or numpy.min with plain defaults (numpy's are sentinels, which rules would
    receive when a traced ``initial`` is bound to its position); on a plain array with no
    options, the ufunc reduction numpy.max runs, without its dispatch (a label range check
    costs that dispatch twice per batch)."""

    def raw(a, axis=None, out=None, keepdims=False, initial=None, where=True):
        if type(a) is numpy.ndarray and out is None and initial is None and where is True:
            return ufunc.reduce(a, axis=axis, keepdims=keepdims)
        extra = {} if initial is None else {"initial": initial}
        if where is not True:
            extra["where"] = where
        return reduce(a, axis=axis, out=out, keepdims=keepdims, **extra)

    return raw


max = wrap(_extremum(numpy.max, numpy.maximum), "max")
min = wrap(_extremum(numpy.min, numpy.minimum), "min")
amax = max
amin = min
dispatch_from(mean, numpy.mean)
dispatch_from(max, numpy.max, numpy.amax)
dispatch_from(min, numpy.min, numpy.amin)
cumsum = wrap(numpy.cumsum, "cumsum")
flip = wrap(numpy.flip, "flip")


def reduced_count(x_shape, ans_shape):
    """How many input elements were reduced into each output element."""
    return math.prod(x_shape) // builtins.max(math.prod(ans_shape), 1)


def _mean_vjp(ans, x, axis=None, dtype=None, out=None, keepdims=False, where=True):
    x_shape = shape_of(x)
    mask = selected(where, x_shape, numpy.result_type(getval(x)))
    if mask is not None:  # each output is the mean of its selected elements only
        share = mask / numpy.maximum(numpy.sum(mask, axis=axis, keepdims=True), 1)  # 0 at none
        return lambda g: restore_reduced(g, x_shape, axis, keepdims) * share
    count = reduced_count(x_shape, shape_of(ans) if keepdims or axis is not None else ())
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) / count


def _mean_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, where=True):
    """mean of the tangent (it is linear); 0, not the empty mean nan, where none is averaged."""
    tangent = mean(t, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    if where is True:
        if reduced_count(shape_of(x), shape_of(ans)):
            return tangent
        return numpy.zeros_like(getval(ans))
    counts = numpy.sum(numpy.broadcast_to(where, shape_of(x)), axis=axis, keepdims=keepdims)
    return _select(counts != 0, tangent, 0)


defvjp(mean, _mean_vjp)
defjvp(mean, _mean_jvp)


def _extremum_counts(ans, x, axis, keepdims, initial, where=True):
    """Raw ``(hits, expanded ans, count)``: which elements equal the extremum, and how many
    candidates (those elements, and ``initial`` where it equals the extremum) share it."""
    raw_x, raw_ans = raw_array(x), getval(ans)
    if not keepdims and axis is not None and raw_x.ndim:  # (a 0-d x loses no axis)
        raw_ans = numpy.expand_dims(raw_ans, axis)
    hits = raw_x == raw_ans
    if where is not True:  # only the elements where= selects are candidates
        hits = hits & numpy.asarray(where, dtype=bool)
    count = numpy.sum(hits, axis=axis, keepdims=True)
    if initial is not None:
        count = count + (raw_ans == getval(initial))
    # No candidate where a constant initial won: then nothing moves the result.
    return hits, raw_ans, numpy.maximum(count, 1)


def _extremum_share(ans, x, axis, keepdims, initial=None, where=True):
    """Raw weights: 1/k on each of the k candidates equal to the extremum, 0 elsewhere."""
    hits, _, count = _extremum_counts(ans, x, axis, keepdims, initial, where)
    return mask_like(hits / count, getval(x))


def _initial_share(ans, x, axis, keepdims, initial, where=True):
    """The weight of ``initial`` in each output: 1/k where it is one of k candidates."""
    _, raw_ans, count = _extremum_counts(ans, x, axis, keepdims, initial, where)
    won = (raw_ans == getval(initial)) / count
    if not keepdims and axis is not None and numpy.ndim(getval(x)):
        won = numpy.squeeze(won, axis)
    elif axis is None and not keepdims:
        won = won.reshape(())
    return mask_like(won, getval(x))


def _extremum_vjp(ans, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    share = _extremum_share(ans, x, axis, keepdims, initial, where)
    x_shape = shape_of(x)
    return lambda g: restore_reduced(g, x_shape, axis, keepdims) * share


def _extremum_jvp(t, ans, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    share = _extremum_share(ans, x, axis, keepdims, initial, where)
    return sum(t * share, axis=axis, keepdims=keepdims)


def _initial_vjp(ans, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    share = _initial_share(ans, x, axis, keepdims, initial, where)
    return lambda g: unbroadcast(g * share, initial)


def _initial_jvp(t, ans, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    return broadcast_like(t * _initial_share(ans, x, axis, keepdims, initial, where), ans)


for _fun in (max, min):
    defvjp(_fun, _extremum_vjp)
    defjvp(_fun, _extremum_jvp)
    defvjp(_fun, _initial_vjp, argnums=(4,))
    defjvp(_fun, _initial_jvp, argnums=(4,))


def _refuse_initial(*args, **kwargs):
    raise NotImplementedError(
        "the derivative of prod with respect to a traced initial= is not implemented; "
        "write np.prod(x) * v instead")


def _unselected_as_one(x, where):
    """prod(x, where=m) is prod(x with 1 where m is False): that x and the raw mask (None
    for no where=)."""
    if where is True:
        return x, None
    keep = numpy.broadcast_to(numpy.asarray(where, dtype=bool), shape_of(x))
    return _select(keep, x, 1), keep


def _prod_vjp(ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None,
              where=True):
    x_shape = shape_of(x)
    x, keep = _unselected_as_one(x, where)
    others = others_product(ans, x, axis, keepdims, initial)
    if keep is None:
        return lambda g: times_others(restore_reduced(g, x_shape, axis, keepdims), others, x)
    return lambda g: _select(keep, times_others(restore_reduced(g, x_shape, axis, keepdims),
                                                 others, x), 0)


def _prod_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None,
              where=True):
    x, keep = _unselected_as_one(x, where)
    if keep is not None:
        t = _select(keep, t, 0)
    return sum(times_others(t, others_product(ans, x, axis, keepdims, initial), x), axis=axis,
               keepdims=keepdims)


defvjp(prod, _prod_vjp)
defjvp(prod, _prod_jvp)
defvjp(prod, _refuse_initial, argnums=(5,))
defjvp(prod, _refuse_initial, argnums=(5,))


def _reverse_cumsum(g, axis):
    return flip(cumsum(flip(g, axis), axis), axis)


def _cumsum_vjp(ans, x, axis=None, dtype=None, **kwargs):
    x_shape = shape_of(x)
    if axis is None or not x_shape:  # numpy scans a 0-d x along any axis as if flattened
        return lambda g: reshape(_reverse_cumsum(g, 0), x_shape)
    return lambda g: _reverse_cumsum(g, axis)


defvjp(cumsum, _cumsum_vjp)
def_linear(cumsum, argnums=(0,))
defvjp(flip, lambda ans, x, axis=None: lambda g: flip(g, axis))
def_linear(flip, argnums=(0,))


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """The (weighted) mean over ``axis``; ``returned`` adds the weights' sum (or count)."""
    if weights is None:
        result = mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return result
        count = numpy.size(getval(a)) // builtins.max(numpy.size(getval(result)), 1)
        total = numpy.full(shape_of(result), count, dtype=numpy.result_type(getval(result)))
        return result, total[()]
    if axis is not None and len(shape_of(weights)) == 1 and len(shape_of(a)) > 1:
        weights = _align_weights(weights, a, axis)
    weights = broadcast_to(weights, shape_of(a))
    total = sum(weights, axis=axis, keepdims=keepdims)
    result = sum(a * weights, axis=axis, keepdims=keepdims) / total
    if not returned:
        return result
    same = tuple(shape_of(total)) == tuple(shape_of(result))
    return result, total if same else broadcast_to(total, shape_of(result))


def _align_weights(weights, a, axis):
    shape = [1] * len(shape_of(a))
    shape[axis] = shape_of(weights)[0]
    return reshape(weights, tuple(shape))


average = composite(average, numpy.average)
