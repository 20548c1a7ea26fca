"""The beta distribution, ``beta.pdf(x, a, b, loc=0, scale=1)``: supported on [loc, loc +
scale], nan for a, b or scale <= 0, as in scipy. The density is a composite, differentiable
in x, a, b, loc and scale; the cdf (``special.betainc``) in x, loc and scale, and raises if
asked for a or b."""

import numpy
import scipy.stats

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.unbounded import times_either
from mlkit.scipy.densities import beta_power
from mlkit.scipy.special import betainc, betaln, xlog1py, xlogy
from mlkit.scipy.stats.base import log_of, masked, register, standardized, weak

__all__ = ["cdf", "logpdf", "pdf"]


def logpdf(x, a, b, loc=0.0, scale=1.0):
    """log z as log(x - loc) - log scale, as gamma.logpdf's, so that its mixed partials at
    x = loc are finite where they are (d2/da dscale -1/scale); log1p(-z) keeps its accuracy."""
    z, scale, (a, b), valid = standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw >= 0, raw <= 1)
    z, offset = masked(inside, z, 0.5), masked(inside, x - loc, 0.5)
    out = xlogy(a - 1, offset) + xlog1py(b - 1, -z) - weak(betaln, a, b) - a * log_of(scale)
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def pdf(x, a, b, loc=0.0, scale=1.0):
    """z^(a-1) (1-z)^(b-1) / (B(a, b) scale) from beta_power, not exp(logpdf): its
    derivatives at z = 0 and 1 are the density's (exp(-inf) * inf would make them nan)."""
    z, scale, (a, b), valid = standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw >= 0, raw <= 1)
    z = times_either(x - loc, 1 / scale)  # 0 for every scale at x = loc: as gamma.pdf's
    out = beta_power(0, 0)(a - 1, b - 1, masked(inside, z, 0.5), -weak(betaln, a, b)) / scale
    return masked(valid, masked(inside, out, 0.0), numpy.nan)


def cdf(x, a, b, loc=0.0, scale=1.0):
    z, _, (a, b), valid = standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw >= 0, raw <= 1)  # the slopes at 0 and 1 are from inside
    out = betainc(a, b, masked(inside, z, 0.5))
    above = numpy.greater_equal(raw, 1).astype(numpy.result_type(raw))
    return masked(valid, masked(inside, out, above), numpy.nan)


pdf, logpdf, cdf = register("beta", scipy.stats.beta, pdf, logpdf, cdf)
