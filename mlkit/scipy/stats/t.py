"""Student's t distribution, ``t.pdf(x, df, loc=0, scale=1)``: the density is a composite
(differentiable in x, df, loc and scale); the cdf goes through ``special.stdtr``, so it is
differentiable in x, loc and scale, and raises if asked for its derivative in df."""

import math

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.unbounded import times_either
from mlkit.scipy.gamma_ratio import log_gamma_ratio
from mlkit.scipy.special import stdtr
from mlkit.scipy.stats.base import flat_ends, log_of, masked, register, standardized

__all__ = ["cdf", "logcdf", "logpdf", "pdf"]


def _log_spread(x, loc, z, scale, df):
    """log1p(z^2 / df). In the tails (z^2 > df) it is log(z^2 / df) + log1p(df / z^2), with
    log|z| as log|x - loc| - log scale and 1/z as scale / (x - loc): no z^2 to overflow, so the
    value stays finite at |x| ~ 1e300, and at x = +-inf each derivative is its limit (those in
    x and loc 0, in scale and df the log's), where z^2 / df met inf / inf."""
    raw_z, raw_df = getval(z), getval(df)
    far = numpy.greater(numpy.abs(raw_z), numpy.sqrt(raw_df))  # no z * z to overflow
    # stand-ins on x (mnp.where, not masked: no guard on far under jit); a z from an infinite
    # x would meet a zero cotangent with an infinite slope in scale
    near = (mnp.where(far, loc, x) - loc) / scale
    offset = mnp.where(far, x - loc, 1.0)
    tail = (2 * (mnp.log(mnp.abs(offset)) - mnp.log(scale)) - mnp.log(df)
            + mnp.log1p(df * mnp.square(scale / offset)))
    return mnp.where(far, tail, mnp.log1p(near * near / df))


def logpdf(x, df, loc=0.0, scale=1.0):
    z, scale, (df,), valid = standardized(x, loc, scale, df)
    half = 0.5 * (df + 1)  # at x = +-inf the spread is inf: a zero tangent of df gives 0
    out = (log_gamma_ratio(0.5 * df) - 0.5 * log_of(df * math.pi) - log_of(scale)
           - times_either(half, _log_spread(x, loc, z, scale, df)))
    return masked(valid, out, numpy.nan)


def pdf(x, df, loc=0.0, scale=1.0):
    """exp(logpdf), and 0 at x = +-inf for every df, loc and scale, so that all its derivatives
    there are 0 (exp(-inf) times logpdf's slope in df, -inf, would be nan)."""
    finite = numpy.isfinite(getval(x))
    return masked(finite, mnp.exp(logpdf(masked(finite, x, 0.0), df, loc, scale)), 0.0)


def cdf(x, df, loc=0.0, scale=1.0):
    z, scale, (df,), valid = standardized(x, loc, scale, df)
    return masked(valid, flat_ends(x, loc, lambda x: stdtr(df, (x - loc) / scale), 0.0, 1.0),
                  numpy.nan)


def _log_left_tail(offset, scale, df):
    """log cdf far in the left tail, c(df) - df log|z| with log|z| as log|offset| -
    log scale, c(df) the log of the density's constant times df^((df - 1) / 2): the first
    term of its expansion in 1/z^2. At x = -inf each derivative is its limit (0 in x and loc,
    df / scale in scale), where log(stdtr) meets inf * 0."""
    return (log_gamma_ratio(0.5 * df) - 0.5 * log_of(math.pi)
            + 0.5 * (df - 2) * log_of(df)
            - times_either(df, mnp.log(mnp.abs(offset)) - mnp.log(scale)))


def logcdf(x, df, loc=0.0, scale=1.0):
    """log(stdtr), and the tail's first term where z < -3e8 sqrt(df (df + 1)), past which the
    next one, of relative size df (df + 1) / z^2, is below 1e-17: finite where the cdf
    underflows (scipy's is -inf at x = -1e300 for df = 3, this -2070.7)."""
    z, scale, (df,), valid = standardized(x, loc, scale, df)
    raw_df = getval(df)
    far = numpy.less(getval(z), -3e8 * numpy.sqrt(raw_df * (raw_df + 1)))
    if not numpy.any(far):
        near = flat_ends(x, loc, lambda x: mnp.log(stdtr(df, (x - loc) / scale)), None, 0.0)
        return masked(valid, near, numpy.nan)
    tail = _log_left_tail(masked(far, x - loc, -1.0), scale, df)
    if not numpy.all(far):  # (all far: no stdtr, whose slope in df is refused)
        tail = masked(far, tail, mnp.log(stdtr(df, masked(far, 0.0, z))))
    return masked(valid, tail, numpy.nan)


pdf, logpdf, cdf, logcdf = register("t", scipy.stats.t, pdf, logpdf, cdf, logcdf)
