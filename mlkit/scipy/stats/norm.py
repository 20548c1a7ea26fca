"""The normal distribution, ``norm.pdf(x, loc=0, scale=1)`` and the other methods of
scipy.stats.norm, written from mlkit.numpy and mlkit.scipy.special (composites, so
differentiable in x, loc and scale in both modes to any order)."""

import math

import scipy.stats

from mlkit.scipy.error_functions import gaussian
from mlkit.scipy.special import log_ndtr, ndtr, ndtri
from mlkit.scipy.stats.base import flat_ends, log_of, register

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - log_of(scale) - _HALF_LOG_2PI


def pdf(x, loc=0.0, scale=1.0):
    # not exp(logpdf): its slope exp(-inf) * inf is nan at x = +-inf, where all are 0
    return flat_ends(x, loc, lambda x: gaussian((x - loc) / scale, 0.5) / (_SQRT_2PI * scale),
                      0.0, 0.0)


def cdf(x, loc=0.0, scale=1.0):
    return flat_ends(x, loc, lambda x: ndtr((x - loc) / scale), 0.0, 1.0)


def logcdf(x, loc=0.0, scale=1.0):
    return flat_ends(x, loc, lambda x: log_ndtr((x - loc) / scale), None, 0.0)


def sf(x, loc=0.0, scale=1.0):
    return flat_ends(x, loc, lambda x: ndtr((loc - x) / scale), 1.0, 0.0)


def logsf(x, loc=0.0, scale=1.0):
    return flat_ends(x, loc, lambda x: log_ndtr((loc - x) / scale), 0.0, None)


def ppf(q, loc=0.0, scale=1.0):
    return loc + scale * ndtri(q)


pdf, logpdf, cdf, logcdf, sf, logsf, ppf = register(
    "norm", scipy.stats.norm, pdf, logpdf, cdf, logcdf, sf, logsf, ppf)
