"""The beta distribution, ``beta.pdf(x, a, b, loc=0, scale=1)``: supported on [loc, loc +
scale], nan for a, b or scale <= 0, as in scipy. The density is a composite, differentiable
in x, a, b, loc and scale; the cdf (``special.betainc``) in x, loc and scale, and raises if
asked for a or b."""

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.scipy.special import betainc, betaln, xlog1py, xlogy
from mlkit.scipy.stats.base import log_of, masked, register, standardized, weak

__all__ = ["cdf", "logpdf", "pdf"]


def logpdf(x, a, b, loc=0.0, scale=1.0):
    z, scale, (a, b), valid = standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw >= 0, raw <= 1)
    z = masked(inside, z, 0.5)
    out = xlogy(a - 1, z) + xlog1py(b - 1, -z) - weak(betaln, a, b) - log_of(scale)
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def pdf(x, a, b, loc=0.0, scale=1.0):
    return mnp.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0.0, scale=1.0):
    z, _, (a, b), valid = standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw > 0, raw < 1)
    out = betainc(a, b, masked(inside, z, 0.5))
    above = numpy.greater_equal(raw, 1).astype(numpy.result_type(raw))
    return masked(valid, masked(inside, out, above), numpy.nan)


pdf, logpdf, cdf = register("beta", scipy.stats.beta, pdf, logpdf, cdf)
