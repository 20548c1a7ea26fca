"""Student's t distribution, ``t.pdf(x, df, loc=0, scale=1)``: the density is a composite
(differentiable in x, df, loc and scale); the cdf goes through ``special.stdtr``, so it is
differentiable in x, loc and scale, and raises if asked for its derivative in df."""

import math

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.scipy.special import stdtr
from mlkit.scipy.stats.base import lgamma_of, log_of, masked, register, standardized

__all__ = ["cdf", "logcdf", "logpdf", "pdf"]


def logpdf(x, df, loc=0.0, scale=1.0):
    z, scale, (df,), valid = standardized(x, loc, scale, df)
    half = 0.5 * (df + 1)
    out = (lgamma_of(half) - lgamma_of(0.5 * df) - 0.5 * log_of(df * math.pi) - log_of(scale)
           - half * mnp.log1p(z * z / df))
    return masked(valid, out, numpy.nan)


def pdf(x, df, loc=0.0, scale=1.0):
    return mnp.exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    z, _, (df,), valid = standardized(x, loc, scale, df)
    return masked(valid, stdtr(df, z), numpy.nan)


def logcdf(x, df, loc=0.0, scale=1.0):
    return mnp.log(cdf(x, df, loc, scale))


pdf, logpdf, cdf, logcdf = register("t", scipy.stats.t, pdf, logpdf, cdf, logcdf)
