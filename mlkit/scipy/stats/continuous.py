"""Univariate continuous distributions: norm, t, gamma, chi2, beta, with scipy's signatures
(shape parameters, then ``loc`` and ``scale``), broadcasting and values off the support.

Densities are written in log space from mlkit.numpy and mlkit.scipy.special, so they are
composites, differentiable in every argument to any order; cdfs go through the incomplete
functions of mlkit.scipy.special, differentiable in x, loc and scale (in a shape parameter
they have no closed form, and asking for that derivative raises).
"""

import math

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.scipy.special import (
    betainc,
    betaln,
    gammainc,
    log_ndtr,
    ndtr,
    ndtri,
    stdtr,
    xlog1py,
    xlogy,
)
from mlkit.scipy.stats.base import lgamma_of, log_of, masked, namespace, positive, weak

__all__ = ["beta", "chi2", "gamma", "norm", "t"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_2 = math.log(2.0)


def _norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - log_of(scale) - _HALF_LOG_2PI


def _norm_pdf(x, loc=0.0, scale=1.0):
    return mnp.exp(_norm_logpdf(x, loc, scale))


def _norm_cdf(x, loc=0.0, scale=1.0):
    return ndtr((x - loc) / scale)


def _norm_logcdf(x, loc=0.0, scale=1.0):
    return log_ndtr((x - loc) / scale)


def _norm_sf(x, loc=0.0, scale=1.0):
    return ndtr((loc - x) / scale)


def _norm_logsf(x, loc=0.0, scale=1.0):
    return log_ndtr((loc - x) / scale)


def _norm_ppf(q, loc=0.0, scale=1.0):
    return loc + scale * ndtri(q)


def _standardized(x, loc, scale, *shapes):
    """``(z, scale, shapes, valid)``: z = (x - loc) / scale and the raw mask of valid parameters
    (scale and shapes > 0); invalid entries are replaced by 1, so that no formula downstream
    takes the log or gammaln of them (the result is nan there)."""
    valid = positive(scale, *shapes)
    scale, *shapes = [masked(positive(p), p, 1.0) for p in (scale, *shapes)]
    return (x - loc) / scale, scale, shapes, valid


def _t_logpdf(x, df, loc=0.0, scale=1.0):
    z, scale, (df,), valid = _standardized(x, loc, scale, df)
    half = 0.5 * (df + 1)
    out = (lgamma_of(half) - lgamma_of(0.5 * df) - 0.5 * log_of(df * math.pi) - log_of(scale)
           - half * mnp.log1p(z * z / df))
    return masked(valid, out, numpy.nan)


def _t_pdf(x, df, loc=0.0, scale=1.0):
    return mnp.exp(_t_logpdf(x, df, loc, scale))


def _t_cdf(x, df, loc=0.0, scale=1.0):
    z, _, (df,), valid = _standardized(x, loc, scale, df)
    return masked(valid, stdtr(df, z), numpy.nan)


def _t_logcdf(x, df, loc=0.0, scale=1.0):
    return mnp.log(_t_cdf(x, df, loc, scale))


def _gamma_logpdf(x, a, loc=0.0, scale=1.0):
    z, scale, (a,), valid = _standardized(x, loc, scale, a)
    inside = numpy.greater_equal(getval(z), 0)
    z = masked(inside, z, 1.0)
    out = xlogy(a - 1, z) - z - lgamma_of(a) - log_of(scale)
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def _gamma_pdf(x, a, loc=0.0, scale=1.0):
    return mnp.exp(_gamma_logpdf(x, a, loc, scale))


def _gamma_cdf(x, a, loc=0.0, scale=1.0):
    z, _, (a,), valid = _standardized(x, loc, scale, a)
    inside = numpy.greater_equal(getval(z), 0)
    out = gammainc(a, masked(inside, z, 0.0))
    return masked(valid, masked(inside, out, 0.0), numpy.nan)


# chi2 with df degrees of freedom is the gamma distribution of shape df/2 and scale 2.
def _chi2_logpdf(x, df, loc=0.0, scale=1.0):
    return _gamma_logpdf(x, 0.5 * df, loc, 2 * scale)


def _chi2_pdf(x, df, loc=0.0, scale=1.0):
    return mnp.exp(_chi2_logpdf(x, df, loc, scale))


def _chi2_cdf(x, df, loc=0.0, scale=1.0):
    return _gamma_cdf(x, 0.5 * df, loc, 2 * scale)


def _beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    z, scale, (a, b), valid = _standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw >= 0, raw <= 1)
    z = masked(inside, z, 0.5)
    out = xlogy(a - 1, z) + xlog1py(b - 1, -z) - weak(betaln, a, b) - log_of(scale)
    return masked(valid, masked(inside, out, -numpy.inf), numpy.nan)


def _beta_pdf(x, a, b, loc=0.0, scale=1.0):
    return mnp.exp(_beta_logpdf(x, a, b, loc, scale))


def _beta_cdf(x, a, b, loc=0.0, scale=1.0):
    z, _, (a, b), valid = _standardized(x, loc, scale, a, b)
    raw = getval(z)
    inside = numpy.logical_and(raw > 0, raw < 1)
    out = betainc(a, b, masked(inside, z, 0.5))
    above = numpy.greater_equal(raw, 1).astype(numpy.result_type(raw))
    return masked(valid, masked(inside, out, above), numpy.nan)


norm = namespace("norm", scipy.stats.norm, pdf=_norm_pdf, logpdf=_norm_logpdf, cdf=_norm_cdf,
                 logcdf=_norm_logcdf, sf=_norm_sf, logsf=_norm_logsf, ppf=_norm_ppf)
t = namespace("t", scipy.stats.t, pdf=_t_pdf, logpdf=_t_logpdf, cdf=_t_cdf, logcdf=_t_logcdf)
gamma = namespace("gamma", scipy.stats.gamma, pdf=_gamma_pdf, logpdf=_gamma_logpdf,
                  cdf=_gamma_cdf)
chi2 = namespace("chi2", scipy.stats.chi2, pdf=_chi2_pdf, logpdf=_chi2_logpdf, cdf=_chi2_cdf)
beta = namespace("beta", scipy.stats.beta, pdf=_beta_pdf, logpdf=_beta_logpdf, cdf=_beta_cdf)
