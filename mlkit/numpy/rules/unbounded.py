"""Partial derivatives that can be infinite (a root's slope at 0, a log's at 0), and the
product that takes a zero (co)tangent through them to 0: a linear map takes 0 to 0 (the
function does not move along it), where 0 * inf would give nan. ``times_either`` guards
both factors, for the partials' own formulas, so that second derivatives keep that care."""

import cmath

import numpy

from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.numpy.rules.base import broadcast_like, unbroadcast
from mlkit.numpy.wrap import raw_array, wrap

__all__ = ["times_coefficient", "times_either", "times_partial", "unbounded"]


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


def _zeroed(g, d, both=False):
    """Where the guarded product of ``g`` and ``d`` gives 0 in place of nan: ``g`` is 0 and
    ``d`` not finite (or, for ``both``, also the other way round)."""
    with numpy.errstate(invalid="ignore"):
        zeroed = numpy.equal(g, 0) & ~numpy.isfinite(d)
        return zeroed | (numpy.equal(d, 0) & ~numpy.isfinite(g)) if both else zeroed


def _guarded_product(g, d):
    """``g * d`` with 0 where ``g`` is 0 and ``d`` is not finite: one primitive, so mlkit.jit
    replays one call whose common case is a check and a product."""
    if _surely_finite(d):
        return numpy.multiply(g, d)
    with numpy.errstate(invalid="ignore"):
        return numpy.where(_zeroed(g, d), 0, numpy.multiply(g, d))


def _either_product(a, b):
    """``a * b`` with 0 where either factor is 0 and the other is not finite."""
    if _surely_finite(a) and _surely_finite(b):
        return numpy.multiply(a, b)
    with numpy.errstate(invalid="ignore"):
        return numpy.where(_zeroed(a, b, both=True), 0, numpy.multiply(a, b))


times_partial = wrap(_guarded_product, "times_partial")
# For a coefficient times a power, alpha x**(alpha-1) in a density's slope: 0 at alpha == 0 (the
# term is absent), but its slope in alpha is the power itself, infinite at x == 0 as the
# limit of x**(alpha-1) (1 + alpha log x) from x > 0, not 0 as for a cotangent that is 0.
times_coefficient = wrap(_guarded_product, "times_coefficient")
# For a partial derivative's own formula, a product of two factors either of which can be
# infinite (reciprocal's -ans * ans at 0): its derivative along each factor then meets a zero
# cotangent with times_partial's care, which multiply (kept plain, being hot) does not take.
times_either = wrap(_either_product, "times_either")


def _kept(g, d, factor, both=False):
    """``factor`` where the guarded product of ``g`` and ``d`` kept its value, 0 where it gave
    0 (``both`` as in :func:`_zeroed`)."""
    from mlkit.numpy.rules.elementwise import where_primitive  # elementwise builds on this

    raw_g, raw_d = raw_array(g), raw_array(d)
    finite = numpy.isfinite(raw_d) & numpy.isfinite(raw_g) if both else numpy.isfinite(raw_d)
    if isinstance(finite, (numpy.ndarray, numpy.generic)) and finite.all():
        return factor
    return where_primitive(_zeroed(raw_g, raw_d, both), 0, factor)


# Where g is 0 the product is 0 whatever d is, so an infinite change of d moves it by 0 too;
# and the slope in d, g, is linear in the change c, which takes c = 0 to 0 also where g is
# infinite (the Hessian of norm.logpdf at x = inf, whose gradient carries infinite terms).
defvjp(times_partial,
       lambda ans, g, d: lambda c: unbroadcast(times_partial(c, _kept(g, d, d)), g),
       lambda ans, g, d: lambda c: unbroadcast(times_either(g, c), d))
defjvp(times_partial,
       lambda t, ans, g, d: broadcast_like(times_partial(t, _kept(g, d, d)), ans),
       lambda t, ans, g, d: broadcast_like(times_either(g, t), ans))
defvjp(times_either,
       lambda ans, a, b: lambda c: unbroadcast(times_either(c, _kept(a, b, b, True)), a),
       lambda ans, a, b: lambda c: unbroadcast(times_either(c, _kept(a, b, a, True)), b))
defjvp(times_either,
       lambda t, ans, a, b: broadcast_like(times_either(t, _kept(a, b, b, True)), ans),
       lambda t, ans, a, b: broadcast_like(times_either(t, _kept(a, b, a, True)), ans))
defvjp(times_coefficient,
       lambda ans, g, d: lambda c: unbroadcast(times_partial(c, d), g),
       lambda ans, g, d: lambda c: unbroadcast(times_either(g, c), d))
defjvp(times_coefficient,
       lambda t, ans, g, d: broadcast_like(times_partial(t, d), ans),
       lambda t, ans, g, d: broadcast_like(times_either(g, t), ans))
