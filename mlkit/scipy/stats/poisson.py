"""The Poisson distribution, ``poisson.pmf(k, mu, loc=0)`` as in scipy: pmf and logpmf as
composites (differentiable in mu to any order), the cdf through the regularized upper
incomplete gamma function. The count k has no derivative: asking for one raises.
"""

import numpy
import scipy.stats

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.elementwise import def_elementwise
from mlkit.numpy.wrap import wrap
from mlkit.scipy.densities import gamma_power
from mlkit.scipy.special import gammaincc, xlogy
from mlkit.scipy.stats.base import lgamma_of, masked, register, weak
from mlkit.scipy.ufuncs import refuse

__all__ = ["cdf", "logpmf", "pmf"]


def _same(k):
    return k


# The identity, with a derivative that raises: the pmf is defined on the integers only.
_count = wrap(_same, "poisson count")
def_elementwise(_count, refuse("poisson.pmf and poisson.logpmf", "k",
                               "k is a count, and the pmf is defined on the integers only"))


def _counts(k, mu, loc):
    """k - loc, the raw masks of counts on the support (whole numbers >= 0) and of valid mu."""
    k = _count(k - loc)
    raw = getval(k)
    inside = numpy.logical_and(raw >= 0, numpy.equal(numpy.floor(raw), raw))
    return k, inside, numpy.greater_equal(getval(mu), 0)


def logpmf(k, mu, loc=0):
    k, inside, valid = _counts(k, mu, loc)
    k = masked(inside, k, 0.0)
    mu = masked(valid, mu, 1.0)
    out = xlogy(k, mu) - lgamma_of(k + 1) - mu
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def pmf(k, mu, loc=0):
    """mu^k e^-mu / k! from gamma_power, not exp(logpmf): its derivatives in mu at mu = 0 are
    the pmf's (exp(-inf) * inf would make them nan)."""
    k, inside, valid = _counts(k, mu, loc)
    k = masked(inside, k, 0.0)
    out = gamma_power(0)(k, masked(valid, mu, 1.0), -lgamma_of(k + 1))
    return masked(valid, masked(inside, out, 0.0), numpy.nan)


def cdf(k, mu, loc=0):
    """P(K <= k) = gammaincc(floor(k) + 1, mu): a step function of k, so floor(k) enters as a
    constant (its derivative in k is zero wherever it exists)."""
    whole = weak(numpy.floor, getval(k - loc))
    inside = numpy.greater_equal(whole, 0) & numpy.less(whole, numpy.inf)
    valid = numpy.greater_equal(getval(mu), 0)
    out = gammaincc(masked(inside, whole, 0.0) + 1, masked(valid, mu, 1.0))
    # 1 at k = inf for every mu: its derivatives 0 (gammaincc's slope in mu there was nan)
    above = weak(numpy.isposinf, whole) * 1.0
    return masked(valid, masked(inside, out, above), numpy.nan)


pmf, logpmf, cdf = register("poisson", scipy.stats.poisson, pmf, logpmf, cdf)
