"""Partial derivatives that can be infinite (a root's slope at 0, a log's at 0), and the
product that takes a zero (co)tangent through them to 0: a linear map takes 0 to 0 (the
function does not move along it), where 0 * inf would give nan."""

import cmath

import numpy

from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.numpy.rules.base import broadcast_like, unbroadcast
from mlkit.numpy.wrap import raw_array, wrap

__all__ = ["times_either", "times_partial", "unbounded"]


def unbounded(d, where=lambda ans, *args: True):
    """Mark the partial derivative ``d`` as one that can be infinite at points
    ``where(ans, *args)`` allows, so its rules multiply by it with :func:`times_partial`.
    Returns d."""
    d.unbounded = where
    return d


def _surely_finite(d):
    """Whether every element of ``d`` is finite, in one cheap reduction whose overflow can
    only say no (then the caller's repair finds nothing to change): a short vector summed in
    Python (faster than any numpy call on it), else ``vdot(d, d)``."""
    if type(d) is not numpy.ndarray:
        return cmath.isfinite(d)
    if d.ndim == 1 and d.size <= 64:
        return cmath.isfinite(sum(d.tolist()))
    return cmath.isfinite(numpy.vdot(d, d))


def _guarded_product(g, d):
    """``g * d`` with 0 where ``g`` is 0 and ``d`` is not finite: one primitive, so mlkit.jit
    replays one call whose common case is a check and a product."""
    if _surely_finite(d):
        return numpy.multiply(g, d)
    with numpy.errstate(invalid="ignore"):
        return numpy.where(numpy.equal(g, 0) & ~numpy.isfinite(d), 0, numpy.multiply(g, d))


def _zeroed(a, b):
    """Where ``times_either(a, b)`` gives 0 in place of nan: one factor 0, the other not
    finite."""
    with numpy.errstate(invalid="ignore"):
        return (numpy.equal(a, 0) & ~numpy.isfinite(b)) | (numpy.equal(b, 0) & ~numpy.isfinite(a))


def _either_product(a, b):
    """``a * b`` with 0 where either factor is 0 and the other is not finite."""
    if _surely_finite(a) and _surely_finite(b):
        return numpy.multiply(a, b)
    with numpy.errstate(invalid="ignore"):
        return numpy.where(_zeroed(a, b), 0, numpy.multiply(a, b))


times_partial = wrap(_guarded_product, "times_partial")
# For a partial derivative's own formula, a product of two factors either of which can be
# infinite (reciprocal's -ans * ans at 0): its derivative along each factor then meets a zero
# cotangent with times_partial's care, which multiply (kept plain, being hot) does not take.
times_either = wrap(_either_product, "times_either")


def _kept_partial(g, d):
    """``d`` where ``times_partial(g, d)`` kept the product, 0 where it gave 0."""
    from mlkit.numpy.rules.elementwise import where_primitive  # elementwise builds on this

    finite = numpy.isfinite(raw_array(d))
    if isinstance(finite, (numpy.ndarray, numpy.generic)) and finite.all():
        return d
    return where_primitive((raw_array(g) == 0) & ~finite, 0, d)


# Where g is 0 the product is 0 whatever d is, so an infinite change of d moves it by 0 too.
defvjp(times_partial,
       lambda ans, g, d: lambda c: unbroadcast(times_partial(c, _kept_partial(g, d)), g),
       lambda ans, g, d: lambda c: unbroadcast(times_partial(g, c), d))
defjvp(times_partial,
       lambda t, ans, g, d: broadcast_like(times_partial(t, _kept_partial(g, d)), ans),
       lambda t, ans, g, d: broadcast_like(times_partial(g, t), ans))


def _kept_factor(a, b, factor):
    """``factor`` where ``times_either(a, b)`` kept the product, 0 where it gave 0."""
    from mlkit.numpy.rules.elementwise import where_primitive  # elementwise builds on this

    zeroed = _zeroed(raw_array(a), raw_array(b))
    if isinstance(zeroed, (numpy.ndarray, numpy.generic)) and not zeroed.any():
        return factor
    return where_primitive(zeroed, 0, factor)


defvjp(times_either,
       lambda ans, a, b: lambda c: unbroadcast(times_either(c, _kept_factor(a, b, b)), a),
       lambda ans, a, b: lambda c: unbroadcast(times_either(c, _kept_factor(a, b, a)), b))
defjvp(times_either,
       lambda t, ans, a, b: broadcast_like(times_either(t, _kept_factor(a, b, b)), ans),
       lambda t, ans, a, b: broadcast_like(times_either(t, _kept_factor(a, b, a)), ans))
