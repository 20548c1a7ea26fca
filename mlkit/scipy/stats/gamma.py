"""The gamma distribution, ``gamma.pdf(x, a, loc=0, scale=1)``: 0 (log: -inf) below loc, nan
for a or scale <= 0, as in scipy. The density is a composite, differentiable in x, a, loc and
scale; the cdf (``special.gammainc``) in x, loc and scale, and raises if asked for a."""

import numpy
import scipy.stats

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.unbounded import times_either
from mlkit.scipy.densities import gamma_power
from mlkit.scipy.special import gammainc, xlogy
from mlkit.scipy.stats.base import lgamma_of, log_of, masked, register, standardized

__all__ = ["cdf", "logpdf", "pdf"]


def logpdf(x, a, loc=0.0, scale=1.0):
    """(a - 1) log z - z - log Gamma(a) - log scale, with log z as log(x - loc) - log scale:
    through z, the mixed partials of log z at x = loc are inf - inf (nan) or, guarded, one
    infinite term, where each is a finite number (d2/dx dscale 1/scale**2)."""
    z, scale, (a,), valid = standardized(x, loc, scale, a)
    inside = numpy.greater_equal(getval(z), 0)
    z, offset = masked(inside, z, 1.0), masked(inside, x - loc, 1.0)
    out = xlogy(a - 1, offset) - z - lgamma_of(a) - a * log_of(scale)
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def pdf(x, a, loc=0.0, scale=1.0):
    """z^(a-1) e^-z / (Gamma(a) scale) from gamma_power, not exp(logpdf): its derivatives at
    z = 0 are the density's (exp(-inf) * inf would make them nan)."""
    z, scale, (a,), valid = standardized(x, loc, scale, a)
    inside = _finite_inside(z)  # at x = inf 0 for every a and scale: all derivatives 0
    z = times_either(x - loc, 1 / scale)  # at x = loc z is 0 for every scale: an infinite
    # cotangent (d/da's log z) times its zero scale-slope is 0 (divide's -z / scale: nan)
    out = gamma_power(0)(a - 1, masked(inside, z, 1.0), -lgamma_of(a)) / scale
    return masked(valid, masked(inside, out, 0.0), numpy.nan)


def cdf(x, a, loc=0.0, scale=1.0):
    z, scale, (a,), valid = standardized(x, loc, scale, a)
    inside = _finite_inside(z)  # at x = inf 1 for every a and scale (z's slope in scale, -inf,
    # met gammainc's zero slope as nan in forward mode); the stand-in is on x - loc, not z
    # (at 0 gammainc's slope is inf for a < 1: 0 * inf = nan)
    out = gammainc(a, masked(inside, x - loc, scale) / scale)
    above = numpy.isposinf(getval(z)).astype(numpy.result_type(getval(z)))
    return masked(valid, masked(inside, out, above), numpy.nan)


def _finite_inside(z):
    """The raw mask of 0 <= z < inf."""
    raw = getval(z)
    return numpy.greater_equal(raw, 0) & numpy.less(raw, numpy.inf)


pdf, logpdf, cdf = register("gamma", scipy.stats.gamma, pdf, logpdf, cdf)
