"""The chi-squared distribution, ``chi2.pdf(x, df, loc=0, scale=1)``: the gamma distribution
of shape df/2 and scale 2 * scale (differentiable as ``gamma`` is, df taking the part of a)."""

import scipy.stats

from mlkit.scipy.stats import gamma
from mlkit.scipy.stats.base import register

__all__ = ["cdf", "logpdf", "pdf"]


def logpdf(x, df, loc=0.0, scale=1.0):
    return gamma.logpdf(x, 0.5 * df, loc, 2 * scale)


def pdf(x, df, loc=0.0, scale=1.0):
    return gamma.pdf(x, 0.5 * df, loc, 2 * scale)


def cdf(x, df, loc=0.0, scale=1.0):
    return gamma.cdf(x, 0.5 * df, loc, 2 * scale)


pdf, logpdf, cdf = register("chi2", scipy.stats.chi2, pdf, logpdf, cdf)
